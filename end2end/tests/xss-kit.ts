// Tools for xss.spec.ts: the payload corpus, a private server with hostile content, and a watch
// that notices a payload running in Chromium (a dialog, a blocked script, a request it made) or
// lying in the page ready to run (an event handler, a `javascript:` URL, a frame).

import { APIRequestContext, BrowserContext, Page, expect, test } from "@playwright/test";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

export const root = path.resolve(__dirname, "..", "..");

/** One line of `server/tests/data/xss-payloads.txt`; `n` is its line number. */
export interface Payload {
  n: number;
  text: string;
}

/**
 * The corpus, read as the Rust test reads it (blank lines skipped). Every payload that could run
 * calls `alert(n)` with its own line number, so a hit names the payload that ran.
 */
export function loadPayloads(): Payload[] {
  const file = path.join(root, "server", "tests", "data", "xss-payloads.txt");
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .map((text, i) => ({ n: i + 1, text }))
    .filter((p) => p.text.trim() !== "");
}

/** What the people services accept as a name or a field: at most `max` characters, no control characters. */
export function fits(p: Payload, max = 150): boolean {
  // eslint-disable-next-line no-control-regex
  return [...p.text].length <= max && !/[\u0000-\u001f\u007f-\u009f]/.test(p.text);
}

/** Text as the server escapes it between tags (`&`, `<`, `>`). */
export const escapeText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Whitespace as the browser shows it: runs collapsed to one space. */
export const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** `s` as a Markdown code span, so it is shown literally whatever it holds. */
export function mdCode(s: string): string {
  const run = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(run + 1);
  return `${fence} ${s} ${fence}`;
}

/** A TOML basic string (JSON's escapes are all valid TOML escapes). */
export const toml = (s: string) => JSON.stringify(s);

/** GIFT's escapes (`\\ \~ \= \# \{ \} \:`), so a payload stays text inside a question. */
export const gift = (s: string) => s.replace(/[\\~=#{}:]/g, (c) => "\\" + c);

/** One CSV field, quoted, for a `;`-separated file. */
export const csvField = (s: string) => `"${s.replace(/"/g, '""')}"`;

// ---------------------------------------------------------------------------------------------
// The private server

export const MODULE_SLUG = "uji-xss";
/** Questions in a post-test (the pre-test takes the rest of the bank: a post-test never repeats one). */
export const POST_TEST_QUESTIONS = 20;
/** The objectives of the hostile module: the payloads spread over four, each measured by a quarter of the bank. */
export const OBJECTIVES = 4;

/**
 * A copy of the repository's content/ with one more module whose every author-written field
 * holds payloads: front matter (title, summary, objectives, legal basis), one `##` section per
 * payload (heading, paragraph, table, list, callout, sub-heading), and a question bank. The other
 * modules keep their text but lose their question banks, so this module's post-test is the only
 * one a certificate needs.
 */
export function buildContent(payloads: Payload[], title: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "diklat-xss-content-"));
  fs.cpSync(path.join(root, "content"), dir, { recursive: true });
  for (const m of fs.readdirSync(path.join(dir, "modul"))) {
    fs.rmSync(path.join(dir, "modul", m, "soal.toml"), { force: true });
  }
  const folder = path.join(dir, "modul", `99-${MODULE_SLUG}`);
  fs.mkdirSync(folder);
  const P = (n: number) => payloads.find((p) => p.n === n)!.text;
  const front = [
    "+++",
    `slug = "${MODULE_SLUG}"`,
    `title = ${toml(title)}`,
    `summary = ${toml(`Ringkasan: ${P(60)}`)}`,
    "order = 99",
    "jp = 2",
    'audience = "keduanya"',
    `objectives = [${objectivesOf(payloads).map(toml).join(", ")}]`,
    'version = "1"',
    "last_reviewed = 2025-10-01",
    ...[1, 63, 64, 66].flatMap((n) => ["[[legal_basis]]", `title = ${toml(P(n))}`, "year = 2025"]),
    "+++",
  ];
  // Each section shows its payload literally first (code spans), then as raw Markdown/HTML in
  // every context the Rust test uses. A payload that opens a raw-text element (`<style>`,
  // `<select>`…) may swallow what follows it, but only inside its own section. The guard line
  // ends an HTML block the Markdown parser left open: it only closes `<SCRIPT …></SCRIPT>` at a
  // lower-case `</script>`, so without it payload 2 would swallow the sections up to payload 14
  // (a rendering quirk, not a way around the sanitiser; everything swallowed is still sanitised).
  const guard = "<!-- </script></style></pre></textarea> -->";
  const sections = payloads.map((p) =>
    [
      `## Bagian ${p.n}: ${mdCode(p.text)}`,
      "",
      `Penanda ${p.n}: ${mdCode(p.text)}`,
      "",
      p.text,
      "",
      guard,
      "",
      "| a | b |",
      "|---|---|",
      `| ${p.text} | x |`,
      "",
      `- ${p.text}`,
      "",
      "> [!CATATAN]",
      `> ${p.text}`,
      "",
      `### ${p.text}`,
      "",
      `Akhir ${p.n}.`,
      "",
      guard,
      "",
    ].join("\n"),
  );
  // The section every question is tagged with (`bagian`), after the payloads' sections.
  const questions = ["## Soal uji", "", "Bagian yang diukur oleh bank soal modul ini.", ""].join("\n");
  const body = ["Modul ini sengaja berisi muatan XSS untuk pengujian.", "", ...sections, questions].join("\n");
  fs.writeFileSync(path.join(folder, "index.md"), front.join("\n") + "\n" + body);
  fs.writeFileSync(path.join(folder, "soal.toml"), questionBank(payloads));
  return dir;
}

/** The payloads spread over `OBJECTIVES` objectives, each objective holding a run of them. */
export function objectivesOf(payloads: Payload[]): string[] {
  const per = Math.ceil(payloads.length / OBJECTIVES);
  return Array.from({ length: OBJECTIVES }, (_, k) =>
    `Tujuan ${k + 1}: ` + payloads.slice(k * per, (k + 1) * per).map((p) => p.text).join(" · "),
  );
}

/** The kind of the bank file's question `i` (0-based): the three kinds in turn. */
function kindOf(i: number): "benar-salah" | "pilihan" | "isian" {
  return (["benar-salah", "pilihan", "isian"] as const)[i % 3];
}

/**
 * The bank file: one question per payload, in its text, explanation, options and answer. It
 * passes the bank checks (`bank_check.rs`) as a real bank must: tagged with an objective and the
 * "Soal uji" section, true/false keys and correct positions alternating, options of one length,
 * and words of its own in every stem so no two read alike. Each stem carries a plain hint of its
 * key (`KUNCI-BENAR`, `KUNCI-SALAH`, `ISIAN-jawabN`; a choice's key is the option reading "Benar
 * N"), so `answerAll` can hand a test in right without seeing the key.
 */
function questionBank(payloads: Payload[]): string {
  const settings = (table: string, count: number) =>
    [
      `[${table}]`,
      `jumlah_soal = ${count}`,
      "nilai_lulus = 70",
      "kesempatan = 3",
      "batas_waktu_menit = 0",
      'nilai_dihitung = "tertinggi"',
      "acak_soal = false",
      "acak_opsi = false",
      "tampilkan_pembahasan = true",
      "",
    ].join("\n");
  let trueFalse = 0;
  let choice = 0;
  const questions = payloads.map((p, i) => {
    const kind = kindOf(i);
    const own = ["a", "b", "c", "d", "e"].map((c) => `q${p.n}${c}`).join(" ");
    let hint = "";
    const answer: string[] = [];
    switch (kind) {
      case "benar-salah": {
        const key = trueFalse++ % 2 === 0;
        hint = key ? "KUNCI-BENAR" : "KUNCI-SALAH";
        answer.push(`jawaban = ${key}`);
        break;
      }
      case "isian":
        hint = `ISIAN-jawab${p.n}`;
        answer.push(`jawaban = [${toml(`jawab${p.n}`)}, ${toml(`Jawaban ${p.n} ${p.text}`)}]`);
        break;
      case "pilihan": {
        const right = [`  teks = ${toml(`Benar ${p.n}: ${mdCode(p.text)} ${p.text}`)}`, "  benar = true"];
        const wrong = [`  teks = ${toml(`Salah ${p.n}: ${mdCode(p.text)} ${p.text}`)}`, "  benar = false"];
        const [first, second] = choice++ % 2 === 0 ? [right, wrong] : [wrong, right];
        answer.push("  [[soal.opsi]]", ...first, "  [[soal.opsi]]", ...second);
      }
    }
    return [
      "[[soal]]",
      `id = "x${p.n}"`,
      `jenis = "${kind}"`,
      `tujuan = ${(i % OBJECTIVES) + 1}`,
      'bagian = "soal-uji"',
      `teks = ${toml(`Soal ${p.n}: ${mdCode(p.text)}\n\n${p.text}\n\n${own} ${hint}`)}`,
      `penjelasan = ${toml(`Pembahasan ${p.n}: ${mdCode(p.text)}\n\n${p.text}`)}`,
      ...answer,
    ].join("\n") + "\n";
  });
  return [
    settings("tes_awal", payloads.length - POST_TEST_QUESTIONS),
    settings("tes_akhir", POST_TEST_QUESTIONS),
    ...questions,
  ].join("\n");
}

/**
 * Answers every question of the attempt at `attempt` (a `/percobaan/N` path) from the hints the
 * bank's stems carry (see `questionBank`; an imported GIFT question's key is the option reading
 * "Benar gift N"), and hands it in. Returns where the hand-in leads.
 */
export async function answerAll(request: APIRequestContext, attempt: string, count: number): Promise<string> {
  const answers: [string, string][] = [["percobaan", attempt.split("/").pop()!]];
  for (let hal = 1; hal <= Math.ceil(count / 5); hal++) {
    const html = await (await request.get(`${attempt}?hal=${hal}`)).text();
    for (const block of html.split(/<fieldset [^>]*class="question"/).slice(1)) {
      const id = block.match(/name="d" value="(\d+)"/)![1];
      if (answers.some(([k, v]) => k === "d" && v === id)) continue;
      let value: string;
      if (block.includes(`name="q${id}" value="benar"`)) {
        value = block.includes("KUNCI-BENAR") ? "benar" : "salah";
      } else if (block.includes(`type="radio" name="q${id}"`)) {
        const right = [...block.matchAll(new RegExp(`name="q${id}" value="(\\d+)"[^>]*>\\s*<span>(?:<p>)?Benar `, "g"))];
        expect(right, `question ${id}: one option reads "Benar"`).toHaveLength(1);
        value = right[0][1];
      } else {
        value = block.match(/ISIAN-(jawab\d+)/)![1];
      }
      answers.push(["d", id], [`q${id}`, value]);
    }
  }
  expect(answers.filter(([k]) => k === "d"), `the questions of ${attempt}`).toHaveLength(count);
  answers.push(["aksi", "kumpulkan"], ["yakin", "ya"]);
  return post(request, "/kuis/jawab", answers);
}

/** GIFT reads an answer containing "->" as a matching question, which is skipped on import. */
export const giftMatching = (p: Payload) => p.text.includes("->");

/** A Moodle GIFT file: per payload one question that imports and one the import must refuse.
 * The questions join only a bank that still passes its checks: the key and the wrong option are
 * equally long and take turns in first place, and each stem has words of its own (payloads that
 * differ only in a digit would otherwise read as one question asked many times). */
export function giftFile(payloads: Payload[]): string {
  const blocks: string[] = ["// Uji XSS: soal dari Moodle", ""];
  for (const { n, text: p } of payloads) {
    const right = `=${gift(`Benar gift ${n}: ${mdCode(p)} ${p}`)}#${gift(`Umpan balik ${n}: ${mdCode(p)} ${p}`)}`;
    const wrong = `~${gift(`Salah gift ${n}: ${mdCode(p)} ${p}`)}`;
    const own = `nomor${n}a nomor${n}b nomor${n}c nomor${n}d`;
    blocks.push(
      `::Judul gift ${n}::[markdown]${gift(`Soal gift ${n}: ${mdCode(p)} ${p} ${own}`)} ` +
        (n % 2 === 0 ? `{${right} ${wrong}}` : `{${wrong} ${right}}`),
      "",
      // No answer block: a description, which the bank cannot hold; the report names its title.
      `::${gift(`Masalah ${n}: ${p}`)}::${gift(`Deskripsi ${n} tanpa jawaban`)}`,
      "",
    );
  }
  return blocks.join("\n");
}

export interface Server {
  url: string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real binary the way playwright.config.ts does (demo data, a fresh data folder), but
 * on its own port and with `contentDir`: the payloads never reach the server other specs share.
 */
export async function startServer(contentDir: string): Promise<Server> {
  const bin = process.env.DIKLAT_BIN ?? path.join(root, "target", "debug", "diklat");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "diklat-xss-data-"));
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k === "DATABASE_URL" || k.startsWith("DIKLAT_")) delete env[k];
  const child: ChildProcess = spawn(
    bin,
    [
      "serve",
      "--demo",
      "--listen",
      `127.0.0.1:${port}`,
      "--public-url",
      url,
      "--data-dir",
      dataDir,
      "--content-dir",
      contentDir,
      "--site-root",
      path.join(root, "target", "site"),
    ],
    { env, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr!.on("data", (d) => (log = (log + d.toString()).slice(-20_000)));
  let exited: string | null = null;
  child.on("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the diklat server ${exited}:\n${log}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the diklat server did not answer /healthz within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(contentDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Form posts as the browser sends them

/** Posts a form (repeated keys allowed) and returns the redirect target; no redirect is followed. */
export async function post(
  request: APIRequestContext,
  url: string,
  fields: Record<string, string> | [string, string][],
): Promise<string> {
  const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields)).toString();
  const r = await request.post(url, {
    data: body,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    maxRedirects: 0,
  });
  expect(r.status(), `POST ${url}: ${r.status()} ${(await r.text()).slice(0, 500)}`).toBe(303);
  return r.headers()["location"];
}

/** The error flash on a page, if the last form post left one. */
export function flashError(html: string): string | null {
  const m = html.match(/class="notice notice-error"[^>]*data-testid="flash"[^>]*>([\s\S]*?)<\/div>/);
  // A refused form is shown again with its error beside the field (or above the form).
  const f = html.match(/data-testid="field-error"[^>]*>([\s\S]*?)<\/(?:span|p)>/);
  return m ? m[1] : f ? f[1] : null;
}

/** Posts a form, opens where it leads and fails on an error flash; returns that page's URL and HTML. */
export async function postOk(
  request: APIRequestContext,
  url: string,
  fields: Record<string, string> | [string, string][],
): Promise<{ location: string; html: string }> {
  const location = await post(request, url, fields);
  const r = await request.get(location);
  const html = await r.text();
  expect(flashError(html), `POST ${url} → ${location}`).toBeNull();
  return { location, html };
}

/** Posts a multipart form (an upload) and returns the redirect target. */
export async function upload(
  request: APIRequestContext,
  url: string,
  multipart: Record<string, string | { name: string; mimeType: string; buffer: Buffer }>,
): Promise<string> {
  const r = await request.post(url, { multipart, maxRedirects: 0 });
  expect(r.status(), `POST ${url}: ${r.status()} ${(await r.text()).slice(0, 500)}`).toBe(303);
  return r.headers()["location"];
}

/** Signs a browser context in through the sign-in form's endpoint (the cookie lands in the context). */
export async function signIn(context: BrowserContext, login: string, password: string) {
  const location = await post(context.request, "/auth/masuk", { login, sandi: password });
  expect(location, `sign-in as ${login}`).toBe("/akun");
}

// ---------------------------------------------------------------------------------------------
// The watch

export interface Hit {
  where: string;
  what: string;
}

/** Runs in every frame before the page's own scripts. */
const INIT = () => {
  const w = window as unknown as Record<string, unknown>;
  if (w.__xssHits) return;
  const hits: string[] = [];
  Object.defineProperty(w, "__xssHits", { value: hits });
  w.__xss = (n: unknown) => hits.push(`__xss(${String(n)})`);
  for (const name of ["alert", "confirm", "prompt", "print"] as const) {
    const original = window[name] as (...a: unknown[]) => unknown;
    (window as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      hits.push(`${name}(${args.map(String).join(", ")})`);
      return name === "print" ? undefined : original.apply(this, args);
    };
  }
  // With a Content-Security-Policy an injected handler or script is blocked rather than run:
  // the violation is the sign that markup got through.
  document.addEventListener(
    "securitypolicyviolation",
    (e) => {
      const t = e.target;
      // The app's own scripts (they carry a nonce attribute, or come from /pkg/) blocked by its
      // CSP: a server problem, noted apart by `inspect`, not markup that got through.
      const ownScript =
        (t instanceof HTMLScriptElement && t.hasAttribute("nonce")) ||
        e.blockedURI.startsWith(`${location.origin}/pkg/`);
      const on = t instanceof Element ? t.outerHTML.slice(0, 300) : String(t);
      if (ownScript) {
        hits.push(`own script blocked by the CSP: ${e.blockedURI || on.slice(0, 60)}`);
        return;
      }
      hits.push(`CSP ${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sample}) on ${on}`);
    },
    true,
  );
};

/** Looks through the DOM for markup that could run a script later (on a click, a hover, a focus). */
const AUDIT = () => {
  const found: string[] = [];
  const urlAttributes = new Set([
    "href", "src", "action", "formaction", "xlink:href", "data", "background", "poster", "srcdoc",
    "codebase", "cite", "dynsrc", "lowsrc", "srcset", "ping", "manifest", "icon", "longdesc",
    "usemap", "classid", "archive", "to", "from", "values",
  ]);
  const describe = (el: Element) => `<${el.localName}${[...el.attributes].map((a) => ` ${a.name}="${a.value.slice(0, 80)}"`).join("")}>`;
  const visit = (scope: Document | DocumentFragment | ShadowRoot) => {
    for (const el of Array.from(scope.querySelectorAll("*"))) {
      const tag = el.localName;
      if (["iframe", "frame", "frameset", "object", "embed", "applet", "base", "isindex", "portal", "set", "animate", "handler", "listener"].includes(tag)) {
        found.push(`element ${describe(el)}`);
      }
      if (tag === "script") {
        const src = el.getAttribute("src");
        if (src !== null && !src.startsWith("/pkg/")) found.push(`script from ${src}`);
        if (/alert\s*\(|__xss/.test(el.textContent ?? "")) found.push(`script ${describe(el)} ${el.textContent!.slice(0, 120)}`);
      }
      if (tag === "meta" && /url\s*=\s*['"]?\s*(javascript|data|vbscript):/i.test(el.getAttribute("content") ?? "")) {
        found.push(`meta refresh ${describe(el)}`);
      }
      for (const a of Array.from(el.attributes)) {
        const name = a.name.toLowerCase();
        // Browsers drop control characters and spaces before a scheme.
        // eslint-disable-next-line no-control-regex
        const value = a.value.replace(/[\u0000-\u0020\u007f-\u009f]/g, "").toLowerCase();
        // The app writes no inline handler at all (its CSP allows none).
        if (name.startsWith("on")) found.push(`handler ${describe(el)}`);
        if (urlAttributes.has(name) || name.endsWith(":href")) {
          const ownImage = tag === "img" && /^data:image\/(png|jpeg|gif|webp);/.test(value);
          if (/^(javascript|vbscript|livescript):|^data:/.test(value) && !ownImage) found.push(`URL ${describe(el)}`);
          if (name === "srcdoc") found.push(`srcdoc ${describe(el)}`);
        }
        if (name === "style" && /expression\s*\(|javascript:|behavior\s*:|-moz-binding/.test(value)) found.push(`style ${describe(el)}`);
        if (name === "attributename" && value.startsWith("on")) found.push(`SVG animation of ${describe(el)}`);
      }
      if (el.shadowRoot) visit(el.shadowRoot);
      if (tag === "template") visit((el as HTMLTemplateElement).content);
    }
  };
  visit(document);
  return found;
};

/**
 * Everything that would show a payload ran in one browser context: dialogs (any frame), calls
 * the init script saw, CSP violations (what a CSP blocked is markup that got through), uncaught
 * errors, requests to other hosts (an injected `<script src>` or image), and, per page, markup
 * that could still run.
 */
export class Watch {
  /** Hits not yet reported. */
  readonly hits: Hit[] = [];
  /** Hits already reported by `flush`. */
  readonly reported: Hit[] = [];
  private readonly pages = new WeakSet<Page>();

  constructor(readonly label: string) {}

  async arm(context: BrowserContext) {
    await context.addInitScript(INIT);
    context.on("page", (p) => this.attach(p));
    for (const p of context.pages()) this.attach(p);
    context.on("request", (r) => {
      const u = new URL(r.url());
      if ((u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "127.0.0.1") {
        let from = "?";
        try {
          from = r.frame().url();
        } catch {
          // a request without a frame (a worker)
        }
        this.hit(from, `request to another host: ${r.url()}`);
      }
    });
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    // The sanitiser keeps `<img src="x">` (a relative image is allowed): answer its 404 here.
    // At the server, a 404 page rendered while /pkg/diklat.js or .wasm is being served makes
    // that file's response a 404 too (a race in the fallback that serves static files, reported
    // apart), and the page then never hydrates. Answered here, the image still fails, so an
    // `onerror` would still fire if a handler ever got through.
    await context.route(
      (url) => url.hostname === "127.0.0.1" && /\/x$/.test(url.pathname),
      (route) => route.fulfill({ status: 404, contentType: "text/plain", body: "" }),
    );
  }

  private attach(page: Page) {
    if (this.pages.has(page)) return;
    this.pages.add(page);
    page.on("dialog", (d) => {
      this.hit(page.url(), `dialog ${d.type()}(${d.message()})`);
      d.dismiss().catch(() => {});
    });
    page.on("pageerror", (e) => this.hit(page.url(), `uncaught error: ${e.message}`));
    // CSP violations are taken from the `securitypolicyviolation` events the init script records
    // (they name the element; the console's message does not).
  }

  hit(where: string, what: string) {
    this.hits.push({ where, what });
  }

  /**
   * Fails on the hits not reported yet: softly by default, so one finding does not hide the
   * next page's; `strict` throws at once.
   */
  flush(payloads: Payload[], strict = false) {
    if (this.hits.length === 0) return;
    const message = this.report(payloads);
    const pending = this.hits.splice(0);
    this.reported.push(...pending);
    (strict ? expect : expect.soft)(pending, message).toEqual([]);
  }

  /** Hits so far, each with the payload(s) its `alert(n)` names. */
  report(payloads: Payload[]): string {
    return this.hits
      .map((h) => {
        const named = [...h.what.matchAll(/alert\((\d+)\)|\b(?:alert|confirm|prompt)\((\d+)/g)]
          .map((m) => Number(m[1] ?? m[2]))
          .map((n) => payloads.find((p) => p.n === n))
          .filter(Boolean)
          .map((p) => `\n      payload ${p!.n}: ${p!.text}`)
          .join("");
        return `[${this.label}] ${h.where}: ${h.what}${named}`;
      })
      .join("\n");
  }
}

export interface Inspect {
  /** Texts that must be shown (textContent, whitespace collapsed) inside `scope`. */
  texts?: string[];
  scope?: string;
  /** Throw on a finding at once (the default records it and goes on). */
  strict?: boolean;
}

/**
 * Checks the page as it stands: its layout is there and the app's JavaScript ran, nothing ran
 * that should not have, nothing lies in the DOM ready to run, and the expected texts are shown.
 * Returns the scope's text.
 */
export async function inspect(page: Page, watch: Watch, payloads: Payload[], opts: Inspect = {}): Promise<string> {
  const note = (type: string, description: string) => test.info().annotations.push({ type, description });
  const seenIn = async () => {
    const all: [string, string][] = [];
    for (const frame of page.frames()) {
      const seen: string[] = await frame
        .evaluate(() => ((window as unknown as { __xssHits?: string[] }).__xssHits ?? []).splice(0))
        .catch(() => []);
      for (const s of seen) all.push([frame.url(), s]);
    }
    return all;
  };
  // Markup injected into the page can swallow the rest of it (an unclosed <style> or <iframe>):
  // then the layout is gone, which is a finding in itself.
  const strictly = opts.strict ? expect : expect.soft;
  const layout = await page.locator("a.lang-switch").count();
  strictly(layout, `the page's layout (its language switch) is there on ${page.url()}`).toBeGreaterThan(0);
  // Handlers such as onerror and ontoggle fire after parsing; give them their moment.
  await page.waitForLoadState("load");
  await page.waitForTimeout(50);
  let seen = await seenIn();
  const ownBlocked = seen.filter(([, s]) => s.startsWith("own script blocked"));
  if (ownBlocked.length > 0) note("app scripts blocked by its own CSP", `${page.url()}: ${ownBlocked.map(([, s]) => s).join("; ")}`);
  if (layout > 0 && ownBlocked.length === 0) {
    // The islands hydrate: the app's JavaScript runs on this page, as a reader's browser would run it.
    const hydrated = await page
      .locator('a.lang-switch[data-hydrated="true"]')
      .first()
      .waitFor({ timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    if (!hydrated) note("not hydrated", page.url());
    seen = seen.concat(await seenIn());
  }
  for (const [where, s] of seen) if (!s.startsWith("own script blocked")) watch.hit(where, `ran: ${s}`);
  const latent = await page.evaluate(AUDIT);
  for (const l of latent) watch.hit(page.url(), `in the DOM: ${l}`);
  watch.flush(payloads, opts.strict);
  const text: string = await page.evaluate((scope) => {
    const el = document.querySelector(scope);
    if (!el) return "";
    const copy = el.cloneNode(true) as Element;
    copy.querySelectorAll("script, style, template").forEach((s) => s.remove());
    return copy.textContent ?? "";
  }, opts.scope ?? "main");
  if (opts.texts) expectTexts(squash(text), opts.texts, page.url());
  return squash(text);
}

/**
 * Every expected text is in `shown` (both with whitespace collapsed). Soft: text that turned into
 * markup is missing here too, and the other pages still get looked at.
 */
export function expectTexts(shown: string, expected: string[], where: string) {
  const missing = expected.filter((t) => !shown.includes(squash(t)));
  expect.soft(missing, `${missing.length} of ${expected.length} texts not shown as text on ${where}`).toEqual([]);
}

/** Opens `url` and inspects it. */
export async function visit(page: Page, url: string, watch: Watch, payloads: Payload[], opts: Inspect & { status?: number } = {}) {
  const r = await page.goto(url);
  expect(r?.status(), `GET ${url}`).toBe(opts.status ?? 200);
  return inspect(page, watch, payloads, opts);
}

/** Runs `fn` on each item, on a few pages of `context` at once. */
export async function onPages<T>(
  context: BrowserContext,
  items: T[],
  fn: (page: Page, item: T) => Promise<void>,
  parallel = 4,
) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      const page = await context.newPage();
      try {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(page, item);
      } finally {
        await page.close();
      }
    }),
  );
}

/** Visits several URLs on parallel pages of one context; returns each page's text. */
export async function visitAll(
  context: BrowserContext,
  urls: string[],
  watch: Watch,
  payloads: Payload[],
  opts: Inspect = {},
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await onPages(context, urls, async (page, url) => {
    out.set(url, await visit(page, url, watch, payloads, opts));
  });
  return out;
}

/** The values of the form fields whose name matches `pattern`, on the current page. */
export async function fieldValues(page: Page, pattern: RegExp): Promise<string[]> {
  const all: [string, string][] = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input[name], textarea[name]")).map(
      (e) => [e.name, e.value] as [string, string],
    ),
  );
  return all.filter(([name]) => pattern.test(name)).map(([, v]) => v);
}

/**
 * What in a PDF could run or act when it is opened: JavaScript, open and additional actions,
 * launches, form submission, embedded files or media. Searched in the object syntax outside
 * streams and inside compressed object streams (where dictionaries may be kept); content
 * streams, fonts and images are not PDF object syntax and are skipped.
 */
export function pdfActiveContent(pdf: Buffer): string[] {
  const latin = pdf.toString("latin1");
  expect(latin.startsWith("%PDF-"), "a PDF").toBe(true);
  const parts: string[] = [];
  const streamRe = /stream\r?\n/g;
  let last = 0;
  for (let m = streamRe.exec(latin); m; m = streamRe.exec(latin)) {
    const start = m.index + m[0].length;
    const end = latin.indexOf("endstream", start);
    if (end < 0) break;
    const dict = latin.slice(Math.max(last, latin.lastIndexOf("<<", m.index)), m.index);
    parts.push(latin.slice(last, m.index));
    if (/\/ObjStm\b/.test(dict)) {
      const raw = Buffer.from(latin.slice(start, end).replace(/\r?\n$/, ""), "latin1");
      try {
        parts.push(zlib.inflateSync(raw).toString("latin1"));
      } catch {
        parts.push(raw.toString("latin1"));
      }
    }
    last = end + "endstream".length;
    streamRe.lastIndex = last;
  }
  parts.push(latin.slice(last));
  const structure = parts.join("\n");
  const found: string[] = [];
  for (const [name, re] of [
    ["/JavaScript", /\/JavaScript\b/],
    ["/JS", /\/JS[\s/<(\[]/],
    ["/OpenAction", /\/OpenAction\b/],
    ["/AA", /\/AA[\s/<(\[]/],
    ["/Launch", /\/Launch\b/],
    ["/SubmitForm", /\/SubmitForm\b/],
    ["/ImportData", /\/ImportData\b/],
    ["/RichMedia", /\/RichMedia\b/],
    ["/EmbeddedFile", /\/EmbeddedFiles?\b/],
    ["a javascript: URI", /javascript:/i],
  ] as [string, RegExp][]) {
    if (re.test(structure)) found.push(name);
  }
  return found;
}
