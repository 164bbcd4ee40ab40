// Browser tests of `newsdesk serve` with Debian's Chromium driven by
// playwright-core: search, open an article, follow a person, ingest a new
// page mentioning them through the API, see it in the follow's Atom feed;
// and no dialog, no script, no CSP violation on any page showing the
// demo corpus's XSS bait. Screenshots go to target/browser-screenshots/.
//
// Needs the binary built (NEWSDESK_BIN, default $CARGO_TARGET_DIR or
// ../../target, debug/newsdesk) and /usr/bin/chromium (CHROMIUM to override).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
const bin = process.env.NEWSDESK_BIN || path.join(targetDir, 'debug', 'newsdesk');
const shots = path.join(repo, 'target', 'browser-screenshots');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let server, base, browser, context, dataDir, profileDir;
const dialogs = [];
const violations = [];
const pageErrors = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), 'newsdesk-browser-data-'));
  profileDir = mkdtempSync(path.join(tmpdir(), 'newsdesk-browser-profile-'));
  execFileSync(bin, ['demo', '--data-dir', dataDir, '--no-serve'], { stdio: ['ignore', 'inherit', 'inherit'] });
  server = spawn(bin, ['serve', '--data-dir', dataDir, '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Runs before any page script (through the DevTools protocol, so the
  // page's CSP does not apply to it): records every way bait could show
  // it ran.
  await context.addInitScript(() => {
    window.__ran = [];
    for (const f of ['alert', 'confirm', 'prompt', 'print']) {
      window[f] = (...a) => { window.__ran.push(`${f}(${a.join(',')})`); };
    }
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__ran.push(`csp:${e.violatedDirective}:${e.blockedURI}`);
    });
  });
  context.on('page', watch);
});

function watch(page) {
  page.on('dialog', async (d) => { dialogs.push(`${page.url()}: ${d.type()} ${d.message()}`); await d.dismiss(); });
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`); });
}

after(async () => {
  if (context) await context.close();
  if (server) server.kill('SIGINT');
  for (const d of [dataDir, profileDir]) if (d) rmSync(d, { recursive: true, force: true });
});

async function newPage() {
  const page = await context.newPage();
  return page;
}

/// Asserts nothing ran on the page.
async function assertInert(page, what) {
  const ran = await page.evaluate(() => window.__ran || []);
  assert.deepEqual(ran, [], `${what}: script or blocked content ran: ${ran.join('; ')}`);
  assert.deepEqual(dialogs, [], `dialogs fired: ${dialogs.join('; ')}`);
  assert.deepEqual(violations, [], `CSP violations: ${violations.join('; ')}`);
  assert.deepEqual(pageErrors, [], `page errors: ${pageErrors.join('; ')}`);
  const scripts = await page.locator('script').count();
  assert.equal(scripts, 0, `${what}: a <script> element is in the DOM`);
  const badLinks = await page.locator('a[href^="javascript:" i], [onerror], [onload], [onclick], iframe, object, embed').count();
  assert.equal(badLinks, 0, `${what}: an unsafe link, handler attribute or frame is in the DOM`);
}

async function api(p, init) {
  const res = await fetch(base + p, init);
  const body = await res.text();
  return { status: res.status, json: body ? JSON.parse(body) : null };
}

test('search, open an article, follow a person, see a new match in the feed', async () => {
  const people = (await api('/api/entities?kind=person&limit=20')).json;
  assert.ok(people.length > 0, 'the demo corpus has people');
  // The most quoted person of the corpus.
  let person = people[0].name;
  for (const p of people) {
    const q = (await api(`/api/quotes?speaker=${encodeURIComponent(p.name)}&per_page=1`)).json;
    if (q.items.length) { person = p.name; break; }
  }
  const surname = person.split(' ').pop();

  const page = await newPage();
  await page.goto(base + '/');
  await page.fill('input[name=q]', surname);
  await page.click('form.search button[type=submit]');
  await page.waitForSelector('.hit h2 a');
  await page.screenshot({ path: path.join(shots, '01-search.png'), fullPage: true });
  await assertInert(page, 'search');

  await page.click('.hit h2 a >> nth=0');
  await page.waitForSelector('article.story-body h1');
  await page.screenshot({ path: path.join(shots, '02-article.png'), fullPage: true });
  await assertInert(page, 'article');

  await page.goto(`${base}/entities/${encodeURIComponent(person)}`);
  await page.waitForSelector('svg.timeline');
  await page.screenshot({ path: path.join(shots, '03-person.png'), fullPage: true });
  await assertInert(page, 'person');
  await page.click('form[action="/follows"] button[type=submit]');
  await page.waitForURL(base + '/follows');
  await page.screenshot({ path: path.join(shots, '04-follows.png'), fullPage: true });
  const names = await page.locator('tbody tr td:first-child').allTextContents();
  assert.ok(names.includes(person), `the follow of ${person} is listed: ${names}`);
  await assertInert(page, 'follows');

  const headline = `Harbour board backs ${person} on the new quay`;
  const html = `<!doctype html><html lang="en"><head><title>${headline}</title>
    <meta property="article:published_time" content="2026-11-28T09:00:00Z"></head><body><article>
    <h1>${headline}</h1>
    <p>The harbour board voted late on Thursday to back the plan for a new quay, ending a dispute that had run for most of the year and divided the town.</p>
    <p>"We listened to everyone and this is the plan that works," ${person} said after the vote, adding that building would start in the spring.</p>
    <p>Fishing crews said they welcomed the decision but wanted guarantees that the old slipway would stay open while the work went on.</p>
    </article></body></html>`;
  const ingest = await api('/api/ingest', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ html, url: 'https://harbour.example/quay-vote', fetched_at: '2026-11-28T10:00:00Z' }),
  });
  assert.equal(ingest.status, 200, JSON.stringify(ingest.json));
  assert.equal(ingest.json.new_articles, 1, JSON.stringify(ingest.json));

  const feedUrl = `${base}/follows/${encodeURIComponent(person)}/feed.atom`;
  const feed = await page.request.get(feedUrl);
  assert.equal(feed.status(), 200);
  assert.match(feed.headers()['content-type'], /^application\/atom\+xml/);
  const xml = await feed.text();
  assert.ok(xml.includes(`<title type="text">${headline}</title>`), `the new match is in the feed:\n${xml}`);
  await page.goto(feedUrl);
  await page.screenshot({ path: path.join(shots, '05-feed.png'), fullPage: true });
  await page.close();
});

test('no page showing the corpus runs script or fires a dialog', async () => {
  const page = await newPage();
  const seen = [];
  for (let p = 1; p <= 10; p++) {
    const list = (await api(`/api/articles?per_page=100&page=${p}`)).json;
    for (const a of list.items) seen.push(a.id);
    if (!list.has_more) break;
  }
  assert.ok(seen.length >= 3, `the demo store has articles (${seen.length})`);
  const urls = ['/', '/?q=script', '/?q=alert', '/?q=onerror', '/stories', '/entities', '/follows',
    '/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E', '/entities/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E'];
  for (const id of seen) urls.push(`/articles/${id}`);
  const stories = (await api('/api/stories?per_page=100')).json.items;
  for (const s of stories) urls.push(`/stories/${s.id}`);
  const people = (await api('/api/entities?limit=40')).json;
  for (const e of people) urls.push(`/entities/${encodeURIComponent(e.name)}`);
  let n = 0;
  for (const u of urls) {
    const res = await page.goto(base + u);
    assert.ok(res.status() < 500, `${u}: ${res.status()}`);
    await assertInert(page, u);
    if (/xss|bait|script/i.test(await page.title()) || n < 3) {
      await page.screenshot({ path: path.join(shots, `xss-${String(n).padStart(2, '0')}.png`), fullPage: true });
      n++;
    }
  }
  await page.close();
});
