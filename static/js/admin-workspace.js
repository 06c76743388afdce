/* Admin pages of the workspace: repairs to Django's own widgets (no inline script, CSP-safe).
 *
 * - The two-box selector (filter_horizontal) puts an aria-label on a plain <span>
 *   (the search icon), which ARIA does not allow; as an image with a name it is valid
 *   and the search field gets that name.
 * - The search selects (autocomplete_fields, Select2) name their box by the chosen
 *   text, which is empty before a choice: they get the field's label as their name.
 * Both widgets are built on "ready"/"load", so this runs after them.
 */
'use strict';
window.addEventListener('load', function () {
    window.setTimeout(function () {
        document.querySelectorAll('.search-label-icon[aria-label]:not([role])').forEach(function (icon) {
            icon.setAttribute('role', 'img');
        });
        document.querySelectorAll('select.admin-autocomplete').forEach(function (select) {
            const label = document.querySelector('label[for="' + select.id + '"]');
            const rendered = document.getElementById('select2-' + select.id + '-container');
            if (label && rendered) {
                rendered.setAttribute('aria-label', label.textContent.replace(/:\s*$/, '').trim());
            }
        });
    }, 0);
});
