// Lighthouse 12 (mobile, its default settings) on several pages, one after the other.
//
//   node tools/lighthouse.mjs URL...   (CHROME_PATH: Debian's /usr/bin/chromium)
//
// Prints one JSON object: for each URL the four category scores (0-1), the main
// timings, and every audit of the accessibility, best-practices and SEO categories
// that did not pass (id, title, score). Used by tests/e2e/test_lighthouse.py; no
// network beyond the given URLs (Lighthouse's own downloads are never needed).
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const METRICS = [
  "first-contentful-paint",
  "largest-contentful-paint",
  "cumulative-layout-shift",
  "total-blocking-time",
  "speed-index",
  "total-byte-weight",
];

const urls = process.argv.slice(2);
if (urls.length === 0) {
  console.error("usage: node tools/lighthouse.mjs URL...");
  process.exit(2);
}

// A fresh browser for every run (as Lighthouse's own CLI does): runs in one reused
// browser now and then lose their trace (NO_NAVSTART). A run that still fails is tried
// once more.
async function audit(url) {
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const { lhr } = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: CATEGORIES,
    });
    return lhr;
  } finally {
    await chrome.kill();
  }
}

const results = {};
for (const url of urls) {
  let lhr = await audit(url);
  if (lhr.runtimeError) lhr = await audit(url);
  const failed = [];
  for (const category of CATEGORIES.slice(1)) {
    for (const ref of lhr.categories[category].auditRefs) {
      const result = lhr.audits[ref.id];
      if (ref.weight > 0 && result.score !== null && result.score < 1) {
        failed.push({ category, id: ref.id, title: result.title, score: result.score });
      }
    }
  }
  results[url] = {
    scores: Object.fromEntries(CATEGORIES.map((c) => [c, lhr.categories[c].score])),
    metrics: Object.fromEntries(METRICS.map((m) => [m, lhr.audits[m]?.numericValue ?? null])),
    failed,
    runtimeError: lhr.runtimeError?.message ?? null,
    warnings: lhr.runWarnings,
  };
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
