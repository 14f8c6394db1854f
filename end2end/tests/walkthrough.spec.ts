import { test, expect, Page } from "@playwright/test";
import { panitia, peserta, signIn } from "./demo";
import { count } from "./db";

// Issue #25's journeys, walked again as the organizers, the officials and a participant do them
// (at 360 px and at 1366 px, with JavaScript off where a form is posted): none of the problems
// found then may show up. Each step names the problem it looks for.

const DESKTOP = { width: 1366, height: 800 };
const PHONE = { width: 360, height: 740 };

/** Today's date in Asia/Jakarta (UTC+7), as a date input wants it. */
const todayWib = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);

async function english(page: Page) {
  await page.context().addCookies([{ name: "lang", value: "en", url: page.url() }]);
}

test.describe("the panitia's day, JavaScript off", () => {
  test.use({ javaScriptEnabled: false, viewport: DESKTOP });

  test("a refused diklat form keeps every field; opening check-in leaves no message for a later page", async ({ page }) => {
    await panitia(page);
    const current = count("SELECT id FROM diklat WHERE code = 'MLG-DEMO-02'");
    await page.goto(`/diklat/${current}`);
    // "a diklat form with a date error loses every field"
    const edit = page.locator("details", { hasText: "Ubah data diklat" });
    await edit.locator("summary").click();
    const form = edit.locator("form").first();
    await form.locator('[name="nama"]').fill("Nama yang diketik ulang (walkthrough)");
    await form.locator('[name="tempat"]').fill("Gedung yang diketik (walkthrough)");
    await form.locator('[name="selesai"]').fill("2020-01-01");
    await form.locator('button[type="submit"]').first().click();
    const error = page.getByTestId("field-error");
    await expect(error).toContainText("Tanggal selesai tidak boleh sebelum tanggal mulai.");
    await expect(error).toBeInViewport();
    await expect(page.locator('[name="nama"]').first()).toHaveValue("Nama yang diketik ulang (walkthrough)");
    await expect(page.locator('[name="tempat"]').first()).toHaveValue("Gedung yang diketik (walkthrough)");
    await expect(page.locator('[name="selesai"]').first()).toHaveValue("2020-01-01");
    expect(count(`SELECT COUNT(*) FROM diklat WHERE name = 'Nama yang diketik ulang (walkthrough)'`)).toBe(0);

    // "a stale 'Presensi mandiri dibuka' message appears later on an unrelated page"
    const session = count(
      `SELECT s.id FROM diklat_sessions s JOIN diklat d ON d.id = s.diklat_id WHERE d.code = 'MLG-DEMO-02' AND s.session_date = '${todayWib()}' ORDER BY s.id LIMIT 1`,
    );
    await page.goto(`/sesi/${session}`);
    const open = page.getByRole("button", { name: "Buka presensi mandiri" });
    if (await open.count()) await open.click();
    await expect(page).toHaveURL(new RegExp(`/sesi/${session}/kode$`));
    // "the projector shows '/presensi' without the site's address"
    await expect(page.getByTestId("address")).toHaveText(`${new URL(page.url()).host}/presensi`);
    await expect(page.getByTestId("grace")).toContainText("60 detik");
    for (const path of ["/peserta", "/diklat", `/diklat/${current}`]) {
      await page.goto(path);
      await expect(page.getByTestId("flash"), `no message left for ${path}`).toHaveCount(0);
    }
  });
});

test.describe("the pejabat's day", () => {
  test.use({ viewport: DESKTOP });

  test("figures count people, grades are grades, percentages are rounded", async ({ page }) => {
    await signIn(page, "pejabat@demo.diklat-kkmp.test", "demo-pejabat-kkmp");
    await page.goto("/laporan?wilayah=3573");
    const number = async (testid: string) =>
      Number((await page.getByTestId(testid).locator("strong").textContent())!.replace(/\./g, ""));
    const enrolled = await number("enrolled");
    // "the cards say 114 people while the list has 253 rows": the cards count people ...
    expect(enrolled).toBe(count("SELECT COUNT(DISTINCT person_id) FROM enrolments WHERE status = 'enrolled'"));
    // ... and the list says it counts enrolments.
    await expect(page.getByTestId("people-count")).toContainText("pendaftaran (satu baris per peserta per diklat)");
    // "percentages are floored": each note is the rounded share.
    for (const testid of ["attended", "passed", "certified"]) {
      const n = await number(testid);
      await expect(page.getByTestId(testid).locator("small")).toContainText(`${Math.round((n * 100) / enrolled)}%`);
    }
    // "'Nilai tes akhir' holds a count, not a grade": the mean post-test is a grade (0–100, one decimal).
    const learning = page.locator("table", { has: page.locator("th", { hasText: "Rata-rata tes akhir" }) }).first();
    const header = await learning.locator("thead th").allTextContents();
    const column = header.findIndex((h) => h.includes("Rata-rata tes akhir"));
    const grades = await learning.locator(`tbody tr td:nth-child(${column + 1})`).allTextContents();
    expect(grades.length).toBeGreaterThan(0);
    for (const g of grades.filter((g) => g.trim() !== "—")) {
      const v = Number(g.trim().replace(",", "."));
      expect(v, `a grade, not a count: ${g}`).toBeLessThanOrEqual(100);
      expect(g.trim()).toMatch(/^\d{1,3},\d$/);
    }
  });
});

test.describe("a participant on a 360 px phone, JavaScript off", () => {
  test.use({ javaScriptEnabled: false, viewport: PHONE });

  test("the three tasks are in view, a mistyped code is named and kept, a certificate number is told apart", async ({ page }) => {
    await peserta(page);
    const nav = page.getByRole("navigation", { name: "Menu" });
    for (const name of ["Jadwal", "Presensi", "Sertifikat"]) {
      await expect(nav.getByRole("link", { name, exact: true })).toBeInViewport();
    }
    await page.goto("/presensi");
    await page.getByLabel("Kode di layar").fill("AC3D4");
    await page.getByRole("button", { name: "Saya hadir" }).click();
    await expect(page.getByTestId("flash")).toContainText("yang Anda ketik 5 karakter");
    await expect(page.getByLabel("Kode di layar")).toHaveValue("AC3D4");
    await page.goto("/verifikasi");
    await page.getByLabel("Kode verifikasi").fill("KKMP-MLG/2025/000001");
    await page.getByRole("button", { name: "Periksa" }).click();
    await expect(page.getByTestId("status")).toContainText("nomor sertifikat, bukan kode verifikasi");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "nothing off-screen sideways").toBeLessThanOrEqual(360);
  });
});

test.describe("in English", () => {
  test.use({ javaScriptEnabled: false, viewport: DESKTOP });

  test("a panitia's refusals and confirmations are in English, as are the dates", async ({ page }) => {
    await panitia(page);
    await english(page);
    const current = count("SELECT id FROM diklat WHERE code = 'MLG-DEMO-02'");
    await page.goto(`/diklat/${current}`);
    const add = page.locator("details", { hasText: "Add a session" }).last();
    await add.locator("summary").click();
    const form = add.getByTestId("session-form");
    const fill = async (values: Record<string, string>) => {
      for (const [name, value] of Object.entries(values)) await form.locator(`[name="${name}"]`).fill(value);
    };
    await fill({ judul: "Walkthrough in English", tanggal: "2031-01-05", mulai: "09:00", selesai: "10:00", ruang: "Room W" });
    await form.getByRole("button", { name: "Add session" }).click();
    await expect(page.locator("#form-sesi-baru").getByTestId("field-error")).toContainText("The session date must be between");
    const again = page.locator("#form-sesi-baru");
    await again.locator('[name="tanggal"]').fill(todayWib());
    await again.locator('[name="mulai"]').fill("23:40");
    await again.locator('[name="selesai"]').fill("23:45");
    await again.getByRole("button", { name: "Add session" }).click();
    await expect(page.getByTestId("flash")).toHaveText("Session added.");
    const main = await page.locator("main").innerText();
    expect(main).not.toMatch(/Sesi ditambahkan|Tanggal sesi harus/);
  });

  test("a participant's check-in errors and schedule are in English", async ({ page }) => {
    await peserta(page);
    await english(page);
    await page.goto("/presensi");
    await page.getByLabel(/code/i).first().fill("AC0D4E");
    await page.getByRole("button", { name: "Check me in" }).click();
    await expect(page.getByTestId("flash")).toContainText('The character "0" is not in attendance codes');
    await page.goto("/jadwal");
    const text = await page.locator("main").innerText();
    expect(text).toMatch(/(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{1,2} [A-Z][a-z]+ \d{4}/);
    expect(text).not.toMatch(/(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d/);
  });
});
