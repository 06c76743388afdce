// Builds static/css/site.min.css, the one stylesheet of the public pages:
//
//   1. Bootstrap 5.3.9 (npm "bootstrap", pinned in package.json) with only the rules
//      whose selectors occur in what renders our pages (PurgeCSS): the templates, the
//      Python code that names CSS classes (forms, widgets, template tags), our own
//      JavaScript, and the templates of the installed packages that render form
//      markup (crispy-forms with its Bootstrap 5 pack, django-filter, Django's own
//      form and widget templates), whose folders the Makefile passes as arguments;
//   2. followed by our own static/css/site.css, kept whole;
//   3. minified with Lightning CSS; Bootstrap's banner and licence notice on top.
//
// Deterministic: the same inputs give the same bytes (no dates, no paths).
// Run it with `make css`, never by hand-editing the output.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { transform } from "lightningcss";
import { PurgeCSS } from "purgecss";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUTPUT = path.join(ROOT, "static/css/site.min.css");
const BOOTSTRAP_CSS = path.join(ROOT, "node_modules/bootstrap/dist/css/bootstrap.css");
const SITE_CSS = path.join(ROOT, "static/css/site.css");
// Other stylesheets of the public pages, linked by single templates: their var(--bs-…)
// uses keep those Bootstrap variables alive.
const PAGE_CSS = fs
  .readdirSync(path.join(ROOT, "static/css"))
  .filter((name) => name.endsWith(".css") && !/^(admin-|staff-|leadership|site)/.test(name))
  .sort()
  .map((name) => path.join(ROOT, "static/css", name));

// The installed packages' files, listed by tools/css_sources.py; --output=PATH writes
// elsewhere (the test that checks the committed file is what this script builds).
let output = OUTPUT;
const packageFiles = [];
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith("--output=")) output = path.resolve(arg.slice("--output=".length));
  else packageFiles.push(arg);
}
if (packageFiles.length === 0) {
  console.error("usage: node tools/build-css.mjs [--output=PATH] FILE... (see `make css`)");
  process.exit(2);
}
for (const file of packageFiles) {
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
    console.error(`missing: ${file}`);
    process.exit(2);
  }
}

const OWN_CODE = ["kkk_portal", "projects", "publications", "team", "counselling"];
const content = [
  `${ROOT}/templates/**/*.html`,
  ...OWN_CODE.map((app) => `${ROOT}/${app}/**/*.py`),
  `${ROOT}/static/js/*.js`,
  ...packageFiles,
];
// Pages that never load this stylesheet: the admin (Django's own CSS), the
// leadership pages inside it and the mails; and the migrations.
const skippedContentGlobs = [
  ...OWN_CODE.map((app) => `${ROOT}/${app}/migrations/**`),
  `${ROOT}/templates/admin/**`,
  `${ROOT}/templates/*/admin/**`,
  `${ROOT}/templates/*/leadership/**`,
  `${ROOT}/templates/*/mail/**`,
];

// Classes that no file names literally: set by Bootstrap's or our JavaScript, by
// Django (the message level in "alert-{{ message.tags }}") or by crispy-forms'
// Python code from a setting.
const safelist = {
  standard: [
    "active",
    "alert-danger",
    "alert-info",
    "alert-success",
    "alert-warning",
    "disabled",
    "is-invalid",
    "is-valid",
    "show",
    "visually-hidden",
    "visually-hidden-focusable",
    "was-validated",
  ],
};

const ownCss = [SITE_CSS, ...PAGE_CSS].map((file) => fs.readFileSync(file, "utf8"));
const [bootstrap, ...own] = await new PurgeCSS().purge({
  content,
  skippedContentGlobs,
  css: [
    { raw: fs.readFileSync(BOOTSTRAP_CSS, "utf8") },
    // Not purged (wrapped in an ignore block), only read for the variables they use.
    ...ownCss.map((raw) => ({ raw: `/* purgecss start ignore */\n${raw}\n/* purgecss end ignore */` })),
  ],
  variables: true,
  keyframes: true,
  fontFace: true,
  safelist,
});
if (own.length !== ownCss.length) throw new Error("PurgeCSS dropped a stylesheet");

const source = `${bootstrap.css}\n${ownCss[0]}`;
// Browsers from about 2021 on: nothing is rewritten into syntax they lack (e.g. media
// query ranges, which Safari understands only from 16.4). Older ones than that lack
// what site.css needs anyway (clamp(), gap in flexbox).
const major = (version) => version << 16;
const targets = {
  chrome: major(90),
  edge: major(90),
  firefox: major(90),
  safari: major(15),
  ios_saf: major(15),
  samsung: major(15),
  android: major(90),
};
const { code, warnings } = transform({
  filename: "site.min.css",
  code: Buffer.from(source),
  minify: true,
  targets,
});
for (const warning of warnings) console.warn(warning.message);

const BOOTSTRAP_DIR = path.join(ROOT, "node_modules/bootstrap");
const { version } = JSON.parse(fs.readFileSync(path.join(BOOTSTRAP_DIR, "package.json"), "utf8"));
const licence = fs.readFileSync(path.join(BOOTSTRAP_DIR, "LICENSE"), "utf8");
const copyright = licence.match(/^Copyright \(c\) (.+)$/m)[1];
const banner =
  `/*! Bootstrap v${version} (https://getbootstrap.com/), Copyright ${copyright}, ` +
  "MIT licence: bootstrap-LICENSE.txt beside this file. Only the rules the site uses, " +
  "then static/css/site.css. Built by `make css` (tools/build-css.mjs): do not edit. */\n";
fs.writeFileSync(output, `${banner}${code.toString("utf8").replace(/^@charset "UTF-8";/, "")}\n`);
fs.writeFileSync(path.join(path.dirname(output), "bootstrap-LICENSE.txt"), licence);
console.log(`${path.relative(ROOT, output)}: ${fs.statSync(output).size} bytes`);
