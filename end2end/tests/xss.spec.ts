// Issue #10: the XSS corpus (server/tests/data/xss-payloads.txt) pushed through every place where
// user or author text is shown, then looked at in Chromium with JavaScript on. Every payload that
// could run calls alert(n), n being its line number. The watch (xss-kit.ts) reports a dialog, a
// call the init script saw, a CSP violation (what the CSP blocked is markup that got through), an
// uncaught error, a request to another host, or markup left in the DOM that could run on a click
// or a hover. Each page is also checked to show the payloads as text, so the test cannot pass
// because the data is not shown at all.
//
// The data goes in as users put it in: the panitia's forms and uploads (CSV, GIFT), the admin's
// roles form, the content folder for module text, a peserta's own check-in and tests. Bulk set-up
// is posted the way those forms post; the browser opens the pages where the data is shown.
// Findings are soft, so one run lists every page where markup got through.
//
// All of it runs against a server of its own (demo data, a fresh database, a content folder with
// one hostile module): the other specs share the config's server and never see the payloads.

import { test, expect, Browser, BrowserContext, Page } from "@playwright/test";
import * as kit from "./xss-kit";

const payloads = kit.loadPayloads();
const P = (n: number) => payloads.find((p) => p.n === n)!.text;
/** Payloads a name, a note or a one-line field accepts (the tab one is refused as a control character). */
const oneLine = payloads.filter((p) => kit.fits(p));

const MODULE_TITLE = `Uji XSS ${P(59)} ${P(63)} ${P(65)}`;
const DIKLAT = {
  kode: `XSS-${P(13)}`,
  nama: `Diklat uji ${P(63)} ${P(66)}`,
  tempat: `Gedung ${P(59)} ${P(61)}`,
  deskripsi: payloads.map((p) => p.text).join("\n"),
};
/** Names given to the demo participants of Kedungkandang, whose post-tests the demo passed. */
const DEMO_NAMES = [65, 1, 3, 9, 10, 13, 15, 19, 22, 25, 37, 39, 45, 52, 53, 59, 60, 62, 63, 66, 72, 93, 101, 2];
/** Renamed participants besides the demo peserta who earn a certificate. */
const EXTRA_HOLDERS = 4;
/** Why the panitia lets certificates be issued before the last session ends. */
const EARLY_REASON = `Alasan terbit lebih awal: ${P(62)}`;
const TAMBAH = { name: P(61), nik: "3573039999000001", phone: "0813 9997 0001" };
const nikOf = (n: number) => `3573019999${String(n).padStart(6, "0")}`;
const emailOf = (n: number) => `xss${n}"'><svg/onload=alert(${n})>@contoh.test`;
const POSITIONS = ["Ketua", "Sekretaris", "Bendahara", "Anggota Pengawas", "Ketua Pengawas", "Wakil Ketua", "Anggota"];

function todayWib(offsetDays = 0): string {
  return new Date(Date.now() + 7 * 3600 * 1000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** The payloads packed into the session fields, as few sessions as their length limits allow. */
function packSessions() {
  const limits: [("judul" | "ruang" | "narasumber" | "instansi"), number][] = [
    ["judul", 200],
    ["ruang", 100],
    ["narasumber", 200],
    ["instansi", 200],
  ];
  type S = Record<"judul" | "ruang" | "narasumber" | "instansi", string>;
  // Each title starts with the payload that closes a <title>: the session pages put it there.
  const fresh = (k: number): S => ({ judul: `Sesi ${k} ${P(63)}`, ruang: "", narasumber: "", instansi: "" });
  const sessions: S[] = [];
  let current = fresh(1);
  let field = 0;
  for (const p of payloads) {
    for (;;) {
      if (field === limits.length) {
        sessions.push(current);
        current = fresh(sessions.length + 1);
        field = 0;
      }
      const [key, max] = limits[field];
      const next = current[key] ? `${current[key]} ${p.text}` : p.text;
      if ([...next].length <= max) {
        current[key] = next;
        break;
      }
      field++;
    }
  }
  sessions.push(current);
  return sessions.map((s, i) => ({ ...s, ruang: s.ruang || `Ruang ${i + 1}` }));
}
const SESSIONS = packSessions();

// Shared by the steps below, which run in order on one server.
let server: kit.Server;
let browser: Browser;
const contexts: BrowserContext[] = [];
const watches: kit.Watch[] = [];
let staff: BrowserContext; // the demo panitia (Kota Malang)
let admin: BrowserContext;
let learner: BrowserContext; // the demo peserta, renamed to a payload
let visitor: BrowserContext; // nobody signed in: the QR's verification pages
const state = {
  kedungkandang: "",
  imported: new Map<number, number>(), // payload n → person id
  giftImported: 0, // GIFT questions that joined the hostile module's bank
  preReview: "", // the demo peserta's pre-test, handed in blank
  renamed: new Map<number, number>(), // person id → payload n
  diklat: 0,
  sessions: [] as number[],
  certificates: [] as { id: string; number: string; code: string; pdf: string; holder: number; reason?: string }[],
};

async function newContext(label: string): Promise<[BrowserContext, kit.Watch]> {
  const context = await browser.newContext({ baseURL: server.url, locale: "id-ID" });
  const watch = new kit.Watch(label);
  await watch.arm(context);
  contexts.push(context);
  watches.push(watch);
  return [context, watch];
}
const watchOf = (c: BrowserContext) => watches[contexts.indexOf(c)];
const visit = (page: Page, url: string, opts: kit.Inspect & { status?: number } = {}) =>
  kit.visit(page, url, watchOf(page.context()), payloads, opts);
const inspect = (page: Page, opts: kit.Inspect = {}) => kit.inspect(page, watchOf(page.context()), payloads, opts);
/** Inspects a page that reloads itself (a meta refresh): once more if it reloaded meanwhile. */
async function inspectRefreshing(page: Page, opts: kit.Inspect) {
  try {
    await inspect(page, opts);
  } catch (e) {
    if (!/context was destroyed|navigat/i.test(String(e))) throw e;
    await page.waitForLoadState("load");
    await inspect(page, opts);
  }
}
const visitAll = (c: BrowserContext, urls: string[], opts: kit.Inspect = {}) => kit.visitAll(c, urls, watchOf(c), payloads, opts);

test.describe.configure({ mode: "serial", timeout: 180_000 });

test.beforeAll(async ({ browser: b }) => {
  test.setTimeout(120_000);
  expect(payloads.length, "the corpus has at least 50 payloads").toBeGreaterThanOrEqual(50);
  browser = b;
  server = await kit.startServer(kit.buildContent(payloads, MODULE_TITLE));
  [staff] = await newContext("panitia");
  [admin] = await newContext("admin");
  [learner] = await newContext("peserta");
  [visitor] = await newContext("tamu");
  await Promise.all([
    kit.signIn(staff, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp"),
    kit.signIn(admin, "admin@demo.diklat-kkmp.test", "demo-admin-kkmp"),
    kit.signIn(learner, "081234560001", "demo-peserta-kkmp"),
  ]);
});

test.afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await server?.stop();
});

test("the watch notices a payload that runs, and one a CSP blocks", async () => {
  const [context, watch] = await newContext("kanari");
  const page = await context.newPage();
  await page.route("http://127.0.0.1/kanari", (r) =>
    r.fulfill({ contentType: "text/html", body: `<!DOCTYPE html><title>k</title><p>${P(3)}</p>` }),
  );
  await page.goto("http://127.0.0.1/kanari");
  await expect.poll(() => watch.hits.length).toBeGreaterThan(0);
  expect(watch.hits.map((h) => h.what).join("\n")).toContain("alert(3)");
  watch.hits.length = 0;
  // On the app's own page (with whatever CSP it sends), markup slipped into the DOM is seen:
  // it runs (dialog) or is blocked (CSP violation), and the DOM audit finds the handler.
  await page.goto(`${server.url}/`);
  await page.evaluate((html) => document.querySelector("main")!.insertAdjacentHTML("beforeend", html), P(3));
  const seen = () => page.evaluate(() => (window as unknown as { __xssHits: string[] }).__xssHits.length);
  await expect.poll(async () => watch.hits.length + (await seen())).toBeGreaterThan(0);
  await expect(kit.inspect(page, watch, payloads, { strict: true })).rejects.toThrow(/handler <img[\s\S]*payload 3:|alert\(3\)[\s\S]*handler <img/);
  watch.hits.length = 0;
  watch.reported.length = 0;
  await context.close();
});

// One journey: each step builds on the one before. Findings are recorded softly (the step goes
// on and the next pages are still looked at); anything else that goes wrong stops the journey.
test("every payload stays text wherever it is shown", async () => {
  await test.step("names: demo participants renamed, a CSV import with a bad and a good file, one added by hand", async () => {
    const page = await staff.newPage();
    const request = staff.request;

    // Rename the 24 demo participants of Kedungkandang (the demo passed their post-tests, so they
    // can be certified under their new names). The demo peserta is one of them.
    const list = await (await request.get("/peserta")).text();
    state.kedungkandang = list.match(/<option value="(\d+)"[^>]*>Kedungkandang, Kota Malang(?:<!>)?<\/option>/)![1];
    const ids = [...(await (await request.get(`/peserta?kecamatan=${state.kedungkandang}`)).text()).matchAll(/data-id="(\d+)"/g)].map(
      (m) => Number(m[1]),
    );
    expect(ids.length).toBeGreaterThan(10);
    await Promise.all(
      ids.map(async (id, i) => {
        const html = await (await request.get(`/peserta/${id}`)).text();
        const value = (name: string) => html.match(new RegExp(`name="${name}"[^>]*?value="([^"]*)"`))?.[1] ?? "";
        const phone = value("no_hp");
        const n = phone === "081234560001" ? 65 : DEMO_NAMES[1 + (i % (DEMO_NAMES.length - 1))];
        const back = await kit.post(request, "/peserta/ubah", {
          id: String(id),
          nama: P(n),
          nik: value("nik"),
          no_hp: phone,
          email: value("email"),
          jabatan: html.match(/<option value="([^"]*)" selected/)?.[1] ?? "Anggota",
        });
        expect(back).toBe(`/peserta/${id}`);
        state.renamed.set(id, n);
      }),
    );
    // Every one of them is renamed (an error would have left the old name).
    const renamedList = await (await request.get(`/peserta?kecamatan=${state.kedungkandang}`)).text();
    for (const n of new Set(state.renamed.values())) expect(renamedList).toContain(`>${kit.escapeText(P(n))}<`);
    expect([...state.renamed.values()], "the demo peserta is renamed").toContain(65);

    // A file with payloads where kelurahan, jabatan and (first rows) NIK go: every value is echoed
    // in the report's messages; the file name is a payload too.
    await page.goto("/peserta/impor");
    const bad = oneLine.map(({ n, text }) =>
      [`Salah ${n}`, n <= 40 ? text : `3573019998${String(n).padStart(6, "0")}`, `0813 9998 ${String(n).padStart(4, "0")}`, "", text, "", text]
        .map(kit.csvField)
        .join(";"),
    );
    const header = "\ufeffnama;nik;no_hp;email;kelurahan;kecamatan;jabatan\r\n";
    await page.getByLabel(/Berkas peserta/).setInputFiles({
      name: `${P(72)}.csv`,
      mimeType: "text/csv",
      buffer: Buffer.from(header + bad.join("\r\n") + "\r\n"),
    });
    await page.getByRole("button", { name: "Periksa dan impor" }).click();
    await expect(page.getByTestId("import-report")).toContainText("Tidak ada yang disimpan");
    await inspect(page, { texts: [`${P(72)}.csv`, ...oneLine.map((p) => p.text)] });

    // The good file: one participant per payload, with an e-mail address that breaks out of quotes.
    const good = oneLine.map(({ n, text }) =>
      [text, nikOf(n), `0813 9999 ${String(n).padStart(4, "0")}`, emailOf(n), "Kotalama", "Kedungkandang", POSITIONS[n % POSITIONS.length]]
        .map(kit.csvField)
        .join(";"),
    );
    await page.getByLabel(/Berkas peserta/).setInputFiles({
      name: `${P(13)}.csv`,
      mimeType: "text/csv",
      buffer: Buffer.from(header + good.join("\r\n") + "\r\n"),
    });
    await page.getByRole("button", { name: "Periksa dan impor" }).click();
    await expect(page.getByTestId("import-report")).toContainText(`Berhasil: ${oneLine.length} peserta dari`);
    await inspect(page, { texts: [`${P(13)}.csv`] });

    // One more through the "Tambah peserta" form; the flash names them.
    await page.goto("/peserta/baru");
    await page.getByLabel("Nama", { exact: true }).fill(TAMBAH.name);
    await page.getByLabel("NIK", { exact: true }).fill(TAMBAH.nik);
    await page.getByLabel("Nomor HP").fill(TAMBAH.phone);
    await page.getByLabel("Kelurahan", { exact: true }).fill("Bareng");
    await page.getByLabel("Kecamatan", { exact: true }).fill("Klojen");
    await page.getByRole("button", { name: "Simpan" }).click();
    await expect(page.getByTestId("flash")).toHaveText(`${TAMBAH.name} ditambahkan.`);
    await inspect(page, { texts: [TAMBAH.name] });

    // The people list, page by page.
    let shown = "";
    for (let hal = 1; ; hal++) {
      shown += await visit(page, `/peserta?q=3573019999&hal=${hal}`);
      const rows = await page.$$eval("tr.person", (trs) =>
        trs.map((tr) => [Number((tr as HTMLElement).dataset.id), tr.querySelector("td.code")?.textContent ?? ""] as [number, string]),
      );
      for (const [id, nik] of rows) state.imported.set(Number(nik.slice(-4)), id);
      if ((await page.locator('a[rel="next"]').count()) === 0) break;
    }
    kit.expectTexts(shown, oneLine.map((p) => p.text), "/peserta?q=3573019999");
    expect(state.imported.size).toBe(oneLine.length);

    // Person pages: the name and the e-mail address come back as the form's values, unbroken.
    await kit.onPages(staff, [59, 61, 62, 63, 64, 66], async (person, n) => {
      await visit(person, `/peserta/${state.imported.get(n)}`, { texts: [P(n)] });
      await expect.soft(person.locator("input#nama")).toHaveValue(P(n), { timeout: 1000 });
      await expect.soft(person.locator("input#email")).toHaveValue(emailOf(n).toLowerCase(), { timeout: 1000 });
    });

    // One-time codes for all of them: a printable sheet of names.
    await kit.post(request, "/kode/buat", { semua: "1", q: "3573019999", kecamatan: "" });
    kit.expectTexts(await visit(page, "/peserta/kode"), oneLine.map((p) => p.text), "/peserta/kode");
    await page.close();
  });

  await test.step("GIFT questions imported by an admin, shown for confirmation; a staff name given by an admin", async () => {
    const page = await admin.newPage();
    const file = `${P(3)}.gift`;
    const r = await admin.request.post("/bank-soal/impor", {
      multipart: {
        modul: kit.MODULE_SLUG,
        berkas: { name: file, mimeType: "text/plain", buffer: Buffer.from(kit.giftFile(payloads)) },
      },
      maxRedirects: 0,
    });
    expect(r.status()).toBe(303);
    // The problems wait for confirmation, each with the question's title.
    await visit(page, `/bank-soal/${kit.MODULE_SLUG}`, {
      texts: [file, ...payloads.map((p) => `Masalah ${p.n}: ${p.text}`), MODULE_TITLE],
    });
    // Confirmed as the pending section's form does (the bank page's <title> carries the module's).
    await kit.post(admin.request, "/bank-soal/konfirmasi", { modul: kit.MODULE_SLUG, aksi: "impor", yakin: "on" });
    // GIFT reads "->" as a matching question, which the bank cannot hold: those are skipped too.
    const imported = payloads.filter((p) => !kit.giftMatching(p)).length;
    await visit(page, `/bank-soal/${kit.MODULE_SLUG}`, {
      texts: [`${imported} soal dari ${file} diimpor ke bank soal; ${2 * payloads.length - imported} dilewati.`],
    });
    const bank = await (await admin.request.get(`/bank-soal/${kit.MODULE_SLUG}`)).text();
    const total = Number(bank.match(/data-testid="bank-total"[^>]*>(\d+)/)![1]);
    expect(total).toBe(payloads.length + imported);
    // The pre-test draws all but the post-test's share of the bank, in the bank's order (a
    // post-test never repeats a question of the pre-test): the peserta sees every other question.
    state.giftImported = imported;
    await kit.postOk(admin.request, "/kuis/pengaturan", {
      slug: kit.MODULE_SLUG,
      fase: "awal",
      jumlah: String(total - kit.POST_TEST_QUESTIONS),
      lulus: "70",
      kesempatan: "3",
      waktu: "",
      metode: "highest",
      pembahasan: "on",
    });
    await visit(page, `/kuis/${kit.MODULE_SLUG}/awal`, { texts: [MODULE_TITLE] });

    // A staff account named with a payload, through the roles form.
    await page.goto("/admin/peran");
    await page.getByLabel("Nomor HP atau email").fill("staf.xss@contoh.test");
    await page.getByLabel(/^Nama \(bila/).fill(P(66));
    await page.getByLabel("Peran", { exact: true }).selectOption("pejabat");
    await page.getByRole("button", { name: "Beri peran" }).click();
    await expect(page.getByTestId("flash")).toContainText("Peran diberikan");
    await inspect(page, { texts: [P(66)] });
    await visit(page, "/audit");
    await page.close();
  });

  await test.step("a diklat, its sessions and the panitia's attendance notes", async () => {
    const page = await staff.newPage();
    const request = staff.request;
    const created = await kit.post(request, "/diklat/simpan", {
      kode: DIKLAT.kode,
      nama: DIKLAT.nama,
      deskripsi: DIKLAT.deskripsi,
      tempat: DIKLAT.tempat,
      mulai: todayWib(-1),
      selesai: todayWib(1),
      jp: "20",
      status: "running",
      min_hadir: "80",
      hadir_h: "on",
      hadir_t: "on",
    });
    state.diklat = Number(created.match(/^\/diklat\/(\d+)$/)![1]);
    for (const [k, s] of SESSIONS.entries()) {
      const start = 7 * 60 + k * 50;
      const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
      // The module's session (the second) was held yesterday: its post-test is open whatever the
      // hour. The first is today's, for the self check-in (only opened on the session's day).
      await kit.post(request, "/sesi/simpan", {
        diklat: String(state.diklat),
        tanggal: todayWib(k === 1 ? -1 : 0),
        mulai: hhmm(start),
        selesai: hhmm(start + 45),
        judul: s.judul,
        ruang: s.ruang,
        modul: k === 1 ? kit.MODULE_SLUG : "",
        narasumber: s.narasumber,
        instansi: s.instansi,
        jp: "2",
      });
    }
    const detail = await (await request.get(`/diklat/${state.diklat}`)).text();
    // In the order they were created (the page lists them by date: the second, yesterday's, first).
    state.sessions = [...new Set([...detail.matchAll(/href="\/sesi\/(\d+)"/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    expect(state.sessions.length).toBe(SESSIONS.length);
    await kit.postOk(request, "/diklat/daftarkan", {
      diklat: String(state.diklat),
      kecamatan: state.kedungkandang,
      kelurahan: "",
      jabatan: "",
    });

    // The demo peserta, enrolled after the module's session and not yet marked, takes the
    // pre-test now and hands it in blank; its review is looked at with the peserta's pages.
    const mine = await learner.newPage();
    await visit(mine, `/kuis/${kit.MODULE_SLUG}/awal`, { texts: [MODULE_TITLE] });
    const pre = await kit.post(learner.request, "/kuis/mulai", { slug: kit.MODULE_SLUG, fase: "awal" });
    expect(pre).toMatch(/^\/percobaan\/\d+$/);
    await visit(mine, pre, { texts: payloads.slice(0, 5).map((p) => `Soal ${p.n}: ${p.text}`) });
    await mine.close();
    state.preReview = await kit.post(learner.request, "/kuis/jawab", {
      percobaan: pre.split("/").pop()!,
      aksi: "kumpulkan",
      yakin: "ya",
    });

    // Today's sessions may still be ahead: certificates before the last one ends need the
    // panitia's recorded reason (a payload, shown on the standings page).
    await kit.postOk(request, `/diklat/${state.diklat}/sertifikat/lebih-awal`, { alasan: EARLY_REASON, yakin: "ya" });

    // Notes and reasons typed into the marking grid of the first session…
    const [s0, s1] = state.sessions;
    const people = [...state.imported.entries()];
    const noteOf = (j: number, shift: number) => payloads[(j + shift) % payloads.length].text;
    const grid: [string, string][] = [
      ["sesi", String(s0)],
      ["kelurahan", ""],
    ];
    // Sakit and Izin: a reason is only kept for those. These participants need no certificate.
    people.forEach(([, id], j) => {
      grid.push([`s${id}`, "S"], [`c${id}`, noteOf(j, 1)], [`r${id}`, noteOf(j, 2)], [`v${id}`, ""], [`o${id}`, ""]);
    });
    await kit.postOk(request, "/presensi/simpan", grid);

    // …and imported from a CSV into the second (its file name is a payload). Posted like the
    // session page's upload form: that page's <title> is broken by the session's title.
    const marks = people.map(([n], j) => [nikOf(n), "I", noteOf(j, 3), noteOf(j, 4)].map(kit.csvField).join(";"));
    expect(
      await kit.upload(request, "/presensi/impor", {
        sesi: String(s1),
        berkas: {
          name: `${P(39)}.csv`,
          mimeType: "text/csv",
          buffer: Buffer.from("nik;status;catatan;alasan\r\n" + marks.join("\r\n") + "\r\n"),
        },
      }),
    ).toBe(`/sesi/${s1}`);
    await visit(page, `/sesi/${s1}`, { texts: [`${P(39)}.csv: ${people.length} presensi tersimpan`] });
    const notes1 = await kit.fieldValues(page, /^[cr]\d+$/);
    expect.soft(notes1.filter((v) => v !== "").sort()).toEqual(people.flatMap((_, j) => [noteOf(j, 3), noteOf(j, 4)]).sort());

    // Self check-in: the projector shows the title; the demo peserta (renamed) checks in.
    await kit.post(request, "/presensi/buka", { sesi: String(s0), menit: "60", terlambat: "15" });
    await page.goto(`/sesi/${s0}/kode`);
    const code = (await page.getByTestId("code").textContent())!.trim();
    const me = await learner.newPage();
    await me.goto("/presensi");
    await me.getByLabel("Kode di layar").fill(code);
    await me.getByRole("button", { name: "Saya hadir" }).click();
    await expect(me.getByTestId("flash")).toContainText(SESSIONS[0].judul);
    await inspect(me, { texts: [SESSIONS[0].judul] });
    await me.close();
    await inspectRefreshing(page, { texts: [SESSIONS[0].judul] });

    // Everyone else present in every session (the certificates need 80 %).
    for (const s of state.sessions) await kit.post(request, "/presensi/semua-hadir", { sesi: String(s), kelurahan: "" });

    // The participant added by hand lives in Klojen: enrolled one by one, the flash names them.
    await visit(page, `/diklat/${state.diklat}/peserta`);
    await page.getByLabel("NIK atau nomor HP").fill(TAMBAH.nik);
    await page.getByRole("button", { name: "Daftarkan", exact: true }).click();
    await expect(page.getByTestId("flash")).toHaveText(`${TAMBAH.name} didaftarkan.`);
    await inspect(page, { texts: [TAMBAH.name] });

    // Where all this is shown (pages that need no more than their text, side by side).
    const textsOf = (s: (typeof SESSIONS)[number]) => [s.judul, s.ruang, s.narasumber, s.instansi].filter(Boolean);
    const sessionTexts = SESSIONS.flatMap(textsOf);
    const expected: Record<string, string[]> = {
      "/diklat": [DIKLAT.nama, DIKLAT.kode.toUpperCase(), DIKLAT.tempat],
      [`/sesi/${s0}/daftar-hadir`]: [DIKLAT.nama, SESSIONS[0].judul, ...oneLine.map((p) => p.text)],
      // The schedule lists what is ahead: not yesterday's session.
      "/jadwal": SESSIONS.filter((_, k) => k !== 1).flatMap(textsOf),
    };
    const enrolledPages = [1, 2, 3].map((hal) => `/diklat/${state.diklat}/peserta?hal=${hal}`);
    const shown = await visitAll(staff, [...Object.keys(expected), ...enrolledPages]);
    for (const [url, texts] of Object.entries(expected)) kit.expectTexts(shown.get(url)!, texts, url);
    kit.expectTexts(
      enrolledPages.map((u) => shown.get(u)).join(" "),
      [...oneLine.map((p) => p.text), ...DEMO_NAMES.map(P)],
      "the enrolled list",
    );
    await visit(page, `/diklat/${state.diklat}`, {
      texts: [DIKLAT.nama, DIKLAT.tempat, ...payloads.map((p) => p.text), ...sessionTexts, MODULE_TITLE],
    });
    await expect.soft(page.locator('textarea[name="deskripsi"]').first()).toHaveValue(DIKLAT.deskripsi, { timeout: 1000 });
    await expect.soft(page.locator('input[name="nama"]').first()).toHaveValue(DIKLAT.nama, { timeout: 1000 });
    await visit(page, `/sesi/${s0}`, { texts: [SESSIONS[0].judul, ...oneLine.map((p) => p.text)] });
    const notes0 = await kit.fieldValues(page, /^[cr]\d+$/);
    expect.soft(notes0.filter((v) => v !== "").sort()).toEqual(people.flatMap((_, j) => [noteOf(j, 1), noteOf(j, 2)]).sort());
    await page.close();
  });

  await test.step("module content: a peserta reads the hostile module", async () => {
    const page = await learner.newPage();
    await visit(page, "/modul", { texts: [MODULE_TITLE, `Ringkasan: ${P(60)}`] });
    await visit(page, `/modul/${kit.MODULE_SLUG}`, {
      texts: [MODULE_TITLE, `Ringkasan: ${P(60)}`, ...payloads.map((p) => p.text), P(1), P(63), P(64), P(66)],
    });
    // Each payload is shown literally in its section (the code spans) and in the contents.
    const codes = new Set(await page.$$eval("section.module-section code", (cs) => cs.map((c) => c.textContent ?? "")));
    expect.soft(payloads.filter((p) => !codes.has(p.text)).map((p) => p.n), "sections without their payload shown").toEqual([]);
    // One section per payload, and the "Soal uji" section the question bank's `bagian` points at.
    await expect.soft(page.locator("section.module-section")).toHaveCount(payloads.length + 1, { timeout: 1000 });
    const toc = kit.squash((await page.locator("details.toc-phone").textContent()) ?? "");
    kit.expectTexts(toc, payloads.map((p) => `Bagian ${p.n}: ${p.text}`), "the table of contents");
    await page.close();
  });

  await test.step("the peserta's pages, pre-test review, post-test and certificates", async () => {
    const page = await learner.newPage();
    await visit(page, "/akun", { texts: [P(65)] });
    await expect.soft(page.locator("a.account-link")).toHaveText(P(65), { timeout: 1000 });
    await visit(page, "/jadwal", { texts: [DIKLAT.nama, ...SESSIONS.map((s) => s.judul)] });
    await visit(page, "/presensi", { texts: [SESSIONS[0].judul] });

    // The pre-test (handed in blank when the diklat was set up) held the bank file's questions
    // and the GIFT ones but the last few; its review shows each with its explanation.
    const gifted = payloads.filter((p) => !kit.giftMatching(p));
    const postGift = gifted.slice(gifted.length - kit.POST_TEST_QUESTIONS);
    await visit(page, state.preReview, {
      texts: [
        ...payloads.flatMap((p) => [`Soal ${p.n}: ${p.text}`, `Pembahasan ${p.n}: ${p.text}`]),
        ...gifted.slice(0, gifted.length - kit.POST_TEST_QUESTIONS).map((p) => `Soal gift ${p.n}: ${p.text}`),
      ],
    });
    expect(state.giftImported).toBe(gifted.length);

    // The post-test draws what the pre-test did not: the last GIFT questions. Passed, it
    // completes the diklat (attended, the early issue allowed): the certificate is issued at once.
    const attempt = await kit.post(learner.request, "/kuis/mulai", { slug: kit.MODULE_SLUG, fase: "akhir" });
    const done = await kit.answerAll(learner.request, attempt, kit.POST_TEST_QUESTIONS);
    const result = await (await learner.request.get(done)).text();
    expect(result).toMatch(/LULUS/);
    expect(result).not.toMatch(/BELUM LULUS/);
    await visit(page, done, { texts: postGift.map((p) => `Soal gift ${p.n}: ${p.text}`) });

    await visit(page, "/sertifikat", { texts: [DIKLAT.nama] });
    const pdfs = await page.locator('a[href^="/unduh/sertifikat/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
    expect(pdfs.length, "the certificate of this diklat (and the demo's, if it issued one)").toBeGreaterThanOrEqual(1);
    for (const href of pdfs) {
      const pdf = await (await learner.request.get(href)).body();
      expect(kit.pdfActiveContent(pdf), href).toEqual([]);
    }
    await page.close();
  });

  await test.step("certificates: issued to payload names, revoked with payload reasons, verified by anyone", async () => {
    const page = await staff.newPage();
    const standings = `/diklat/${state.diklat}/kelulusan`;
    const enrolledNames = [...oneLine.map((p) => p.text), ...DEMO_NAMES.map(P)];
    // Four more renamed participants sign in with a one-time code and pass the post-test (the
    // bank file's first questions: they took no pre-test); the rest have no passed test and are
    // listed with what they lack.
    const others = [...state.renamed.entries()].filter(([, n]) => n !== 65).slice(0, EXTRA_HOLDERS);
    for (const [id, n] of others) {
      await kit.post(staff.request, "/kode/buat", { orang: String(id) });
      // The code sheet: the holder's name (a payload), their contact and the code, read as text.
      await page.goto("/peserta/kode");
      const issued = await page.locator("tr.issued-code").evaluateAll((trs) =>
        trs.map((tr) => {
          const [name, contact] = [...tr.querySelectorAll("td")].map((td) => td.cloneNode(true) as Element);
          name.querySelectorAll(".hint").forEach((h) => h.remove());
          return [(name.textContent ?? "").trim(), (contact.textContent ?? "").trim(), tr.querySelector("code.otp")!.textContent!.trim()];
        }),
      );
      const row = issued.find(([name]) => name === P(n));
      expect(row, `the code sheet lists ${P(n)}`).toBeDefined();
      const [, contact, code] = row!;
      const context = await browser.newContext({ baseURL: server.url, locale: "id-ID" });
      const sandi = `sandi-uji-${id}-panjang`;
      expect(await kit.post(context.request, "/auth/aktivasi", { login: contact, kode: code, sandi_baru: sandi, sandi_ulang: sandi })).toBe("/akun");
      const attempt = await kit.post(context.request, "/kuis/mulai", { slug: kit.MODULE_SLUG, fase: "akhir" });
      const done = await kit.answerAll(context.request, attempt, kit.POST_TEST_QUESTIONS);
      expect(await (await context.request.get(done)).text()).not.toMatch(/BELUM LULUS/);
      await context.close();
    }
    await kit.postOk(staff.request, `/diklat/${state.diklat}/sertifikat/terbitkan`, { yakin: "ya" });
    await visit(page, standings, { texts: [DIKLAT.nama, MODULE_TITLE, EARLY_REASON, ...enrolledNames] });
    const rows = await page.locator("tr:has([data-certificate])").evaluateAll((trs) =>
      trs.map((tr) => ({
        holder: (() => {
          const cell = tr.querySelector("td")!.cloneNode(true) as Element;
          cell.querySelectorAll(".hint").forEach((h) => h.remove());
          return (cell.textContent ?? "").trim();
        })(),
        number: tr.querySelector("[data-certificate]")!.getAttribute("data-certificate")!,
        id: (tr.querySelector('form[action="/sertifikat/berlaku"] input[name="id"]') as HTMLInputElement).value,
        code: tr.querySelector('a[href^="/verifikasi/"]')!.getAttribute("href")!.split("/").pop()!,
        pdf: tr.querySelector('a[href^="/unduh/sertifikat/"]')!.getAttribute("href")!,
      })),
    );
    // The demo peserta's and those four.
    expect(rows.length).toBe(1 + EXTRA_HOLDERS);
    for (const r of rows) {
      const holder = [...state.renamed.entries()].find(([, n]) => P(n) === r.holder)?.[1];
      expect(holder, `certificate ${r.number} belongs to a renamed participant, not to "${r.holder}"`).toBeDefined();
      state.certificates.push({ ...r, holder: holder! });
    }
    expect(rows[0].number).toContain(DIKLAT.kode.toUpperCase());

    // Half of them revoked, each with a payload as the reason.
    for (const [i, c] of state.certificates.entries()) {
      if (i % 2) continue;
      const n = payloads[(i * 7) % payloads.length].n;
      c.reason = `Alasan ${n}: ${P(n)}`;
      await kit.post(staff.request, "/sertifikat/cabut", { id: c.id, alasan: c.reason, yakin: "ya" });
    }
    const revoked = state.certificates.filter((c) => c.reason);
    await visit(page, standings, { texts: revoked.map((c) => c.reason!) });

    // What the QR code opens, for anyone: holder, diklat, venue, module and the reason.
    // (Ten of them: the same page for every certificate, ten names and five reasons.)
    const sample = state.certificates.slice(0, 10);
    const shown = await visitAll(visitor, sample.map((c) => `/verifikasi/${c.code}`));
    for (const c of sample) {
      const text = shown.get(`/verifikasi/${c.code}`)!;
      kit.expectTexts(text, [P(c.holder), DIKLAT.nama, DIKLAT.tempat, MODULE_TITLE, ...(c.reason ? [c.reason] : [])], `/verifikasi/${c.code}`);
    }
    for (const c of state.certificates.slice(0, 5)) {
      const json = await (await visitor.request.get(`/api/v1/certificates/${c.code}`)).json();
      expect(json.certificate.holder).toBe(P(c.holder));
    }

    // The PDFs (a few, rendering is slow in a debug build): printed from the payload names, with
    // nothing in them that runs. The demo peserta's two were checked above.
    await Promise.all(
      state.certificates.slice(0, 3).map(async (c) => {
        const r = await staff.request.get(c.pdf);
        expect(r.headers()["content-type"]).toBe("application/pdf");
        expect(kit.pdfActiveContent(await r.body()), c.pdf).toEqual([]);
      }),
    );

    // A ZIP of one kelurahan's: its progress page is titled with the diklat's name.
    const kelurahan = await page.locator('select[name="kelurahan"] option').nth(1).getAttribute("value");
    const job = await kit.post(staff.request, `/diklat/${state.diklat}/sertifikat/zip`, { kelurahan: kelurahan ?? "" });
    expect(job).toMatch(/^\/sertifikat\/unduhan\//);
    await page.goto(job);
    await inspectRefreshing(page, { texts: [DIKLAT.nama] });
    await page.close();
  });

  await test.step("the report and the quiz results show the names, the diklat and the module", async () => {
    const page = await staff.newPage();
    await visit(page, `/diklat/${state.diklat}/kuis?modul=${kit.MODULE_SLUG}`, {
      texts: [DIKLAT.nama, MODULE_TITLE, P(65), ...payloads.slice(0, kit.POST_TEST_QUESTIONS).map((p) => `Soal ${p.n}: ${p.text}`)],
    });
    // The report's standings are refreshed every few seconds after a change.
    const names = [...oneLine.map((p) => p.text), ...DEMO_NAMES.map(P)];
    await expect
      .poll(
        async () => {
          const pages = [1, 2, 3].map((hal) => `/laporan?diklat=${state.diklat}&wilayah=3573010&hal=${hal}`);
          const shown = [...(await visitAll(staff, pages)).values()].join(" ");
          return names.filter((n) => !shown.includes(kit.squash(n)));
        },
        { message: "names the report does not show", timeout: 30_000, intervals: [1000, 2000, 3000] },
      )
      .toEqual([]);
    await visit(page, `/laporan?diklat=${state.diklat}`, { texts: [DIKLAT.nama, MODULE_TITLE] });
    await page.close();
  });

  await test.step("query strings reflected into pages stay text", async () => {
    // Every payload at once, in the places a query parameter is written back into the page.
    const all = payloads.map((p) => p.text).join(" ");
    const local = "/" + oneLine.filter((p) => !p.text.includes("\\")).map((p) => p.text).join(" ");
  const short = [59, 61, 63].map(P).join(" ");
    const q = encodeURIComponent;
    const cases: [BrowserContext, string, string][] = [
      [staff, `/peserta?q=${q(all)}`, "input#q"],
      // The report takes at most 100 characters of a name to search for.
    [staff, `/laporan?q=${q(short)}`, 'input[name="q"]'],
      [staff, `/diklat/${state.diklat}/peserta?q=${q(all)}`, 'input[name="q"]'],
      [admin, `/audit?aksi=${q(all)}`, 'input[name="aksi"]'],
      [learner, `/presensi?sesi=${state.sessions[0]}&kode=${q(all)}`, 'input[name="kode"]'],
      [visitor, `/verifikasi?kode=${q(all)}`, 'input[name="kode"]'], // the page keeps the first 64 characters
      [visitor, `/aktivasi?kode=${q(all)}`, "input#kode"],
      [visitor, `/masuk?ke=${q(local)}`, 'input[name="ke"]'],
    ];
    const byContext = new Map<BrowserContext, [string, string][]>();
    for (const [context, url, field] of cases) byContext.set(context, [...(byContext.get(context) ?? []), [url, field]]);
    await Promise.all([...byContext].map(async ([context, list]) => {
      const page = await context.newPage();
      for (const [url, field] of list) {
        await visit(page, url);
        const expected = url.startsWith("/masuk")
          ? local
          : url.startsWith("/laporan")
            ? short
            : url.startsWith("/verifikasi")
              ? [...all].slice(0, 64).join("").trim()
              : all;
        // The value comes back whole, not broken out of its attribute, and decoded once: the
        // payloads' own percent-escapes stay as typed (app/src/query.rs).
        const value = await page.locator(field).first().inputValue({ timeout: 1000 }).catch(() => null);
        expect.soft(value, `the value of ${field} on ${url.split("?")[0]}`).toBe(expected);
      }
      await page.close();
    }));
  });
});

test.afterEach(async () => {
  // What arrived after the last page was looked at.
  for (const w of watches) w.flush(payloads);
});
