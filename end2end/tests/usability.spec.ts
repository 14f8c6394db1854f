import { test, expect } from "@playwright/test";
import { panitia, peserta, signIn } from "./demo";
import { count } from "./db";
import { pdfPages } from "./pdf";

// What got in the way of daily use (issue #25), tried the way the organizers, officials and
// participants meet it: on a 360 px phone, without JavaScript, and on paper.

/** An A4 sheet's printable width at 96 px per inch, with the stylesheet's 12 mm margins. */
const A4_PRINTABLE_PX = Math.floor(((210 - 2 * 12) / 25.4) * 96);

test.describe("on a 360 px phone without JavaScript", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

  test("a peserta's Jadwal, Presensi and Sertifikat are in the menu's view, with nothing off-screen", async ({ page }) => {
    await peserta(page);
    const nav = page.getByRole("navigation", { name: "Menu" });
    const links = nav.getByRole("link");
    // The participant's own tasks come first.
    await expect(links.nth(0)).toHaveText("Jadwal");
    await expect(links.nth(1)).toHaveText("Presensi");
    await expect(links.nth(2)).toHaveText("Sertifikat");
    for (const name of ["Jadwal", "Presensi", "Sertifikat", "Cek sertifikat"]) {
      const box = (await nav.getByRole("link", { name, exact: true }).boundingBox())!;
      expect(box.x, name).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, `${name} ends inside the screen`).toBeLessThanOrEqual(360);
      expect(box.y + box.height, `${name} is in the first screenful`).toBeLessThanOrEqual(740);
    }
    const overflow = await nav.locator("ul").evaluate((ul) => ul.scrollWidth - ul.clientWidth);
    expect(overflow, "no sideways-scrolling menu").toBeLessThanOrEqual(0);
    await page.screenshot({ path: "test-results/menu-peserta-360.png" });
  });

  test("the readiness chart on /capaian reads at phone size: names and bars inside the screen, text ≥ 11 px", async ({ page }) => {
    await page.goto("/capaian");
    const chart = page.getByTestId("readiness-chart");
    const box = (await chart.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    const labels = chart.locator("text.chart-label");
    expect(await labels.count()).toBeGreaterThan(5);
    for (const label of await labels.all()) {
      const b = (await label.boundingBox())!;
      expect(b.height, `"${await label.textContent()}" is tall enough to read`).toBeGreaterThanOrEqual(11);
      expect(b.x + b.width).toBeLessThanOrEqual(360);
    }
    await expect(chart.locator("text.chart-label").filter({ hasText: "Klojen" })).toBeVisible();
    await page.screenshot({ path: "test-results/capaian-chart-360.png", fullPage: true });
  });

  test("in English, a peserta's schedule gives its dates in English", async ({ page, context, baseURL }) => {
    await peserta(page);
    await context.addCookies([{ name: "lang", value: "en", url: baseURL! }]);
    await page.goto("/jadwal");
    const text = await page.locator("main").innerText();
    expect(text).toMatch(/(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}/);
    expect(text).not.toMatch(/(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d/);
  });

  test("a mistyped check-in code is named and stays in the field", async ({ page }) => {
    await peserta(page);
    await page.goto("/presensi");
    await page.getByLabel("Kode di layar").fill("ac0d4e");
    await page.getByRole("button", { name: "Saya hadir" }).click();
    await expect(page.getByTestId("flash")).toContainText('Karakter "0" tidak ada dalam kode presensi');
    await expect(page.getByLabel("Kode di layar")).toHaveValue("ac0d4e");
    await page.getByLabel("Kode di layar").fill("AC3D");
    await page.getByRole("button", { name: "Saya hadir" }).click();
    await expect(page.getByTestId("flash")).toContainText("6 karakter; yang Anda ketik 4 karakter");
    await expect(page.getByLabel("Kode di layar")).toHaveValue("AC3D");
  });

  test("a certificate number typed for a code is told apart, and the code pointed to", async ({ page }) => {
    await page.goto("/verifikasi");
    await page.getByLabel("Kode verifikasi").fill("KKMP-MLG/2025/000053");
    await page.getByRole("button", { name: "Periksa" }).click();
    const status = page.getByTestId("status");
    await expect(status).toContainText("nomor sertifikat, bukan kode verifikasi");
    await expect(status).toContainText("di bawah kode QR");
    await expect(page.getByTestId("certificate")).toHaveCount(0);
    await expect(page.getByLabel("Kode verifikasi")).toHaveValue("KKMP-MLG/2025/000053");
  });
});

for (const javaScriptEnabled of [false, true]) {
  test.describe(`a refused form, JavaScript ${javaScriptEnabled ? "on" : "off"}`, () => {
    test.use({ javaScriptEnabled });

    test("a session outside the diklat's dates comes back as typed, its error beside the date, in view", async ({ page }) => {
      await panitia(page);
      const current = count("SELECT id FROM diklat WHERE code = 'MLG-DEMO-02'");
      await page.goto(`/diklat/${current}`);
      const details = page.locator("details", { hasText: "Tambah sesi" }).last();
      await details.locator("summary").click();
      const form = details.getByTestId("session-form");
      const typed = {
        judul: `Sesi di luar jadwal (JS ${javaScriptEnabled ? "on" : "off"})`,
        tanggal: "2031-01-05",
        mulai: "09:00",
        selesai: "10:30",
        ruang: "Ruang Anggrek",
        narasumber: "Dr. Rahmawati",
        instansi: "Universitas Brawijaya",
      };
      for (const [name, value] of Object.entries(typed)) await form.locator(`[name="${name}"]`).fill(value);
      await form.getByRole("button", { name: "Tambah sesi" }).click();

      await expect(page).toHaveURL(/#form-sesi-baru$/);
      const again = page.locator("#form-sesi-baru");
      const error = again.getByTestId("field-error");
      await expect(error).toContainText("Tanggal sesi harus di antara");
      await expect(error).toBeInViewport();
      // Beside the date: inside the date's label.
      await expect(again.locator("label", { has: page.locator('input[name="tanggal"]') }).getByTestId("field-error")).toHaveCount(1);
      for (const [name, value] of Object.entries(typed)) await expect(again.locator(`[name="${name}"]`)).toHaveValue(value);
      // Shown once, in the form: not also as a message at the top of the page.
      await expect(page.getByTestId("flash")).toHaveCount(0);
      expect(count(`SELECT COUNT(*) FROM diklat_sessions WHERE title = '${typed.judul}'`)).toBe(0);
    });
  });
}

test("a bulk enrolment's result is shown at its form, in view, with the choices kept", async ({ page }) => {
  await panitia(page);
  const current = count("SELECT id FROM diklat WHERE code = 'MLG-DEMO-02'");
  await page.goto(`/diklat/${current}`);
  const details = page.locator("details", { hasText: "Daftarkan peserta sekaligus" });
  await details.locator("summary").click();
  const form = page.getByTestId("enrol-form");
  await form.getByLabel("Kecamatan").selectOption({ label: "Klojen, Kota Malang" });
  await form.getByLabel("Jabatan").selectOption("bendahara");
  await form.getByRole("button", { name: "Daftarkan", exact: true }).click();
  await expect(page).toHaveURL(/#form-daftarkan$/);
  const result = page.getByTestId("enrol-form").getByTestId("form-result");
  // Everyone of the demo is enrolled already.
  await expect(result).toHaveText("0 peserta didaftarkan (yang sudah terdaftar dilewati).");
  await expect(result).toBeInViewport();
  await expect(page.getByTestId("enrol-form").getByLabel("Jabatan")).toHaveValue("bendahara");
  await expect(page.getByTestId("enrol-form").getByLabel("Kecamatan").locator("option:checked")).toHaveText("Klojen, Kota Malang");
});

test("a revoked certificate's page says it is not valid before it speaks of the signature", async ({ browser }) => {
  const staff = await (await browser.newContext()).newPage();
  await panitia(staff);
  const october = count("SELECT id FROM diklat WHERE code = 'MLG-2025-01'");
  await staff.goto(`/diklat/${october}/kelulusan`);
  const cell = staff.locator("[data-certificate]").last();
  const code = (await cell.locator('a[href^="/verifikasi/"]').getAttribute("href"))!.split("/").pop()!;
  await cell.locator("summary", { hasText: "Kelola" }).click();
  const revoke = cell.locator("form[action='/sertifikat/cabut']");
  await revoke.getByLabel(/Alasan pencabutan/).fill("Data jabatan keliru; diganti sertifikat baru");
  await revoke.getByLabel(/Saya yakin mencabut/).check();
  await revoke.getByRole("button", { name: "Cabut sertifikat" }).click();
  await expect(staff.getByTestId("flash")).toContainText("dicabut");

  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto(`/verifikasi/${code}`);
  const status = page.getByTestId("status");
  await expect(status).toContainText("Dicabut");
  await expect(status).toContainText("Sertifikat ini TIDAK BERLAKU.");
  const signature = page.getByTestId("signature");
  await expect(signature).not.toContainText("✓");
  await expect(signature).toContainText("TIDAK BERLAKU lagi");
  const [statusBox, signatureBox] = [(await status.boundingBox())!, (await signature.boundingBox())!];
  expect(statusBox.y).toBeLessThan(signatureBox.y);
});

test.describe("on paper (Chromium's print to PDF, A4)", () => {
  test("the printed report keeps every column on the sheet and leaves out who printed it", async ({ page }) => {
    await signIn(page, "pejabat@demo.diklat-kkmp.test", "demo-pejabat-kkmp");
    await page.goto("/laporan/cetak");
    await page.emulateMedia({ media: "print" });
    await page.setViewportSize({ width: A4_PRINTABLE_PX, height: 1000 });
    await expect(page.getByRole("button", { name: "Keluar" })).toBeHidden();
    await expect(page.locator("a.account-link")).toBeHidden();
    const tables = page.locator("main table");
    expect(await tables.count()).toBeGreaterThan(0);
    const overflowing = await tables.evaluateAll((ts) =>
      ts.flatMap((t) =>
        [...t.querySelectorAll("th, td")]
          .filter((c) => c.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
          .map((c) => (c.textContent ?? "").trim()),
      ),
    );
    expect(overflowing, "cells beyond the A4 sheet").toEqual([]);
    for (const header of ["Bersertifikat", "% KKMP siap"]) {
      await expect(page.locator("main th", { hasText: header }).first()).toBeVisible();
    }
    const pdf = await page.pdf({ format: "A4", printBackground: false, preferCSSPageSize: true });
    const pages = pdfPages(pdf);
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((p) => p.textOps === 0), "no blank page").toEqual([]);
  });

  test("the daftar hadir starts its list on the first page and breaks it across pages", async ({ page }) => {
    await panitia(page);
    const session = count(
      "SELECT s.id FROM diklat_sessions s JOIN diklat d ON d.id = s.diklat_id WHERE d.code = 'MLG-DEMO-02' ORDER BY s.id LIMIT 1",
    );
    await page.goto(`/sesi/${session}/daftar-hadir`);
    await expect(page.locator(".sheet-table").first()).toBeVisible();
    await page.emulateMedia({ media: "print" });
    await expect(page.getByRole("button", { name: "Keluar" })).toBeHidden();
    const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
    const pages = pdfPages(pdf);
    expect(pages.length, "114 people do not fit one page").toBeGreaterThan(1);
    const fullest = Math.max(...pages.map((p) => p.textOps));
    // The first page carries rows of the list, not only the heading.
    expect(pages[0].textOps, `text on each page: ${pages.map((p) => p.textOps).join(", ")}`).toBeGreaterThan(fullest / 2);
  });
});
