import { test, expect, Page, Download } from "@playwright/test";
import * as fs from "node:fs";
import { signIn, panitia, peserta } from "./demo";
import { count, csvRows, xlsxCells, xlsxRows } from "./db";

// Every export and PDF through Chromium's own download path: the browser asks with
// `Accept-Encoding: gzip, deflate, br, zstd` and follows the link as a person does. Each file's
// rows are checked against the server's database. (The certified list once arrived as its header
// line only, for every browser, because no test had downloaded it compressed.)

async function download(page: Page, click: () => Promise<void>): Promise<{ file: string; name: string }> {
  const [d]: [Download, void] = await Promise.all([page.waitForEvent("download"), click()]);
  expect(await d.failure()).toBeNull();
  const file = await d.path();
  return { file, name: d.suggestedFilename() };
}

const KOTA_MALANG_PEOPLE =
  "SELECT count(*) FROM people p JOIN cooperatives c ON c.id = p.cooperative_id JOIN villages v ON v.id = c.village_id " +
  "JOIN districts d ON d.id = v.district_id JOIN regencies r ON r.id = d.regency_id WHERE r.code = '3573'";
const october = () => count("SELECT id FROM diklat WHERE code = 'MLG-2025-01'");
const enrolled = (diklat: number) => count(`SELECT count(*) FROM enrolments WHERE diklat_id = ${diklat} AND status = 'enrolled'`);

test("a panitia downloads the participant list, attendance and quiz results, each whole", async ({ page }) => {
  await panitia(page);
  await page.goto("/peserta");
  const people = await download(page, () => page.getByRole("link", { name: /CSV/ }).first().click());
  expect(people.name).toBe("peserta.csv");
  expect(csvRows(people.file)).toBe(count(KOTA_MALANG_PEOPLE));

  const d = october();
  await page.goto(`/diklat/${d}`);
  const rates = await download(page, () => page.locator(`a[href="/unduh/diklat/kehadiran-diklat-${d}.csv"]`).click());
  expect(rates.name).toBe(`kehadiran-diklat-${d}.csv`);
  expect(csvRows(rates.file)).toBe(enrolled(d));
  const ratesXlsx = await download(page, () => page.locator(`a[href="/unduh/diklat/kehadiran-diklat-${d}.xlsx"]`).click());
  expect(xlsxRows(ratesXlsx.file)).toEqual([enrolled(d)]);

  const session = count(`SELECT min(id) FROM diklat_sessions WHERE diklat_id = ${d}`);
  await page.goto(`/sesi/${session}`);
  const marks = await download(page, () => page.locator(`a[href="/unduh/sesi/presensi-sesi-${session}.csv"]`).click());
  expect(csvRows(marks.file)).toBe(enrolled(d));
  const marksXlsx = await download(page, () => page.locator(`a[href="/unduh/sesi/presensi-sesi-${session}.xlsx"]`).click());
  expect(xlsxRows(marksXlsx.file)).toEqual([enrolled(d)]);

  await page.goto(`/diklat/${d}/kuis`);
  const results = await download(page, () => page.locator(`a[href^="/unduh/kuis/hasil-${d}-"][href$=".csv"]`).first().click());
  expect(results.name).toMatch(new RegExp(`^hasil-${d}-[a-z-]+\\.csv$`));
  expect(csvRows(results.file)).toBe(enrolled(d));
  const villages = await download(page, () => page.locator(`a[href^="/unduh/kuis/kelurahan-${d}-"][href$=".xlsx"]`).first().click());
  expect(xlsxRows(villages.file)[0]).toBeGreaterThan(0);
});

test("a pejabat downloads the coverage and everyone certified, compressed and whole", async ({ page }) => {
  await signIn(page, "pejabat@demo.diklat-kkmp.test", "demo-pejabat-kkmp");
  // What the list must hold: every valid certificate of Kota Malang. The reports run a few
  // seconds behind the data (the standings are rewritten every 5 s): wait until they agree.
  // Counted again on every try: other specs revoke certificates on this server meanwhile.
  const valid = () =>
    count("SELECT count(*) FROM certificates WHERE revoked_at IS NULL AND (expires_on IS NULL OR expires_on >= date('now'))");
  expect(valid()).toBeGreaterThan(0);
  let certified = { file: "", name: "" };
  await expect(async () => {
    await page.goto("/laporan");
    certified = await download(page, () => page.locator('a[href^="/laporan/ekspor/bersertifikat.csv"]').click());
    expect(csvRows(certified.file)).toBe(valid());
  }).toPass({ timeout: 60_000, intervals: [2_000] });
  expect(certified.name).toBe("bersertifikat-3573.csv");
  expect(fs.readFileSync(certified.file).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  await expect(async () => {
    const certifiedXlsx = await download(page, () => page.locator('a[href^="/laporan/ekspor/bersertifikat.xlsx"]').click());
    const perKecamatan = xlsxRows(certifiedXlsx.file);
    expect(perKecamatan).toHaveLength(5);
    expect(perKecamatan.reduce((a, b) => a + b, 0)).toBe(valid());
  }).toPass({ timeout: 60_000, intervals: [2_000] });

  const coverage = await download(page, () => page.locator('a[href^="/laporan/ekspor/cakupan.csv"]').click());
  expect(csvRows(coverage.file)).toBe(6); // five kecamatan and the total
  const coverageXlsx = await download(page, () => page.locator('a[href^="/laporan/ekspor/cakupan.xlsx"]').click());
  expect(xlsxRows(coverageXlsx.file)[0]).toBe(6);
  // For Excel: a title, the region, the time of the export, headers a person reads, and counts
  // stored as numbers (a spreadsheet sums them); names and region codes stay text.
  const [title, scope, exported, headers, ...rows] = xlsxCells(coverageXlsx.file);
  expect(title).toEqual([{ text: "Cakupan Diklat KKMP" }]);
  expect(scope[0]).toEqual({ text: expect.stringContaining("Wilayah: Kota Malang") });
  expect(exported[0]).toEqual({ text: expect.stringMatching(/^Diekspor \d{2}-\d{2}-\d{4} \d{2}:\d{2} WIB$/) });
  expect(headers.slice(0, 3)).toEqual([{ text: "Kode wilayah" }, { text: "Wilayah" }, { text: "KKMP" }]);
  expect(headers).toContainEqual({ text: "Peserta (orang)" });
  expect(rows).toHaveLength(6);
  for (const row of rows) {
    expect(row[1]).toEqual({ text: expect.any(String) });
    for (const cell of row.slice(2)) expect(cell).toEqual({ number: expect.any(Number) });
  }
  expect(rows[0][0]).toEqual({ text: expect.stringMatching(/^3573\d{3}$/) });
});

test("a participant downloads their certificate as a PDF", async ({ page }) => {
  await peserta(page);
  await page.goto("/sertifikat");
  const links = page.locator('a[href^="/unduh/sertifikat/"]');
  test.skip((await links.count()) === 0, "the demo peserta has no certificate yet (they take the tests themselves)");
  const pdf = await download(page, () => links.first().click());
  expect(pdf.name).toMatch(/\.pdf$/);
  const bytes = fs.readFileSync(pdf.file);
  expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
  expect(bytes.length).toBeGreaterThan(10_000);
});

test("a panitia downloads a certificate PDF from the completion page", async ({ page }) => {
  await panitia(page);
  const d = october();
  await page.goto(`/diklat/${d}/kelulusan`);
  const pdf = await download(page, () => page.locator('a[href^="/unduh/sertifikat/"]').first().click());
  const bytes = fs.readFileSync(pdf.file);
  expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
  expect(pdf.name).toMatch(/^[A-Za-z0-9_-]+\.pdf$/);
});
