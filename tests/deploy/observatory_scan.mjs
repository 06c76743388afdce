// The MDN HTTP Observatory's scan (src/scanner/index.js) for one path and ports.
//
// Its CLI (src/scan.js) only takes a host name and always scans "/" on ports
// 80/443, although its retriever accepts {path, httpPort, httpsPort}. This runs
// the same steps as the package's own scan() – retrieve, every test in
// ALL_TESTS, the same grader – with those options, and prints the same JSON.
//
// Usage: node observatory_scan.mjs PACKAGE_DIR HOSTNAME HTTP_PORT HTTPS_PORT PATH
import { pathToFileURL } from "node:url";
import path from "node:path";

const [pkgDir, hostname, httpPort, httpsPort, urlPath] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(pkgDir, "src", file)).href);

const { retrieve } = await load("retriever/retriever.js");
const { ALL_TESTS, NUM_TESTS, ALGORITHM_VERSION } = await load("constants.js");
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await load("grader/charts.js");
const { getGradeForScore, getScoreModifier } = await load("grader/grader.js");

const r = await retrieve(hostname, { httpPort, httpsPort, path: urlPath });
if (!r.responses.auto) {
  console.log(JSON.stringify({ error: "The site seems to be down." }));
  process.exit(1);
}
const { status } = r.responses.auto;
if (status < 200 || (status >= 400 && ![401, 403].includes(status))) {
  console.log(JSON.stringify({ error: `unexpected HTTP status ${status}` }));
  process.exit(1);
}

const results = ALL_TESTS.map((test) => test(r));
let testsPassed = 0;
let scoreWithExtraCredit = 100;
let uncurvedScore = 100;
for (const result of results) {
  if (result.result) {
    result.scoreModifier = getScoreModifier(result.result);
    testsPassed += result.pass ? 1 : 0;
    scoreWithExtraCredit += result.scoreModifier;
    if (result.scoreModifier < 0) {
      uncurvedScore += result.scoreModifier;
    }
  }
}
const score =
  uncurvedScore >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? scoreWithExtraCredit : uncurvedScore;
const final = getGradeForScore(score);
const tests = Object.fromEntries(results.map((res) => [res.constructor.name, res]));
console.log(
  JSON.stringify({
    scan: {
      algorithmVersion: ALGORITHM_VERSION,
      grade: final.grade,
      score: final.score,
      statusCode: status,
      testsFailed: NUM_TESTS - testsPassed,
      testsPassed,
      testsQuantity: NUM_TESTS,
      url: r.session?.url?.href ?? null,
      finalUrl: r.responses.auto.url ?? null,
    },
    tests,
  })
);
