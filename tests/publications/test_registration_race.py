"""The last seat, confirmed by two people at the same moment: one seat, one waiting place."""

import threading

import pytest
from django.db import connection

from publications import services
from publications.models import Registration
from tests.publications.registration_helpers import registration_event

S = Registration.Status


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_confirming_the_last_seat_get_one_seat_and_one_waiting_place():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent row locking (SELECT … FOR UPDATE) is only tested on PostgreSQL.")
    event = registration_event(capacity=3)
    for n in range(2):
        taken = services.registration_submit(event=event, name=f"T{n}", email=f"t{n}@example.org")
        services.registration_confirm(token=taken.token)
    racers = [
        services.registration_submit(event=event, name=f"R{n}", email=f"r{n}@example.org")
        for n in range(2)
    ]
    barrier = threading.Barrier(len(racers))
    outcomes, errors = [], []

    def confirm(token):
        try:
            barrier.wait()
            outcomes.append(services.registration_confirm(token=token).status)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(r.token,)) for r in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(outcomes) == sorted([S.CONFIRMED, S.WAITING])
    assert Registration.objects.filter(event=event, status=S.CONFIRMED).count() == 3
    assert Registration.objects.filter(event=event, status=S.WAITING).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_parallel_confirmations_never_overbook():
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent row locking (SELECT … FOR UPDATE) is only tested on PostgreSQL.")
    event = registration_event(capacity=3)
    racers = [
        services.registration_submit(event=event, name=f"R{n}", email=f"r{n}@example.org")
        for n in range(8)
    ]
    barrier = threading.Barrier(len(racers))
    errors = []

    def confirm(token):
        try:
            barrier.wait()
            services.registration_confirm(token=token)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(r.token,)) for r in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert Registration.objects.filter(event=event, status=S.CONFIRMED).count() == 3
    assert Registration.objects.filter(event=event, status=S.WAITING).count() == 5
