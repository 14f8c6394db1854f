import { test, expect, Page, Download } from "@playwright/test";
import * as fs from "node:fs";
import { panitia, peserta } from "./demo";
import { count, xlsxCells } from "./db";

// The participants' evaluation of a diklat (issue #27): filled in on a phone without JavaScript,
// read by the panitia as an anonymous report.

/** Rates every question of the open form `rating`, writes `suggestion`, confirms and sends. */
async function fillAndSend(page: Page, rating: string, suggestion: string) {
  const form = page.getByTestId("evaluation-form");
  for (const question of await form.locator("fieldset.rating").all()) {
    await question.getByLabel(rating).check();
  }
  await form.locator("textarea").first().fill(suggestion);
  await form.getByLabel(/Saya yakin/).check();
  await form.getByRole("button", { name: "Kirim evaluasi" }).click();
  await expect(page).toHaveURL(/\/evaluasi$/);
  await expect(page.getByTestId("flash")).toHaveText("Evaluasi terkirim. Terima kasih!");
}

test.describe("a participant on a 360 px phone without JavaScript", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });

  test("fills in the organisation form and a narasumber form from the schedule, once each", async ({ page }) => {
    await peserta(page);
    await page.goto("/jadwal");
    const list = page.getByTestId("evaluations");
    await expect(list).toBeVisible();
    const before = count("SELECT COUNT(*) FROM evaluation_answers");

    await list.getByRole("link", { name: "Evaluasi penyelenggaraan" }).first().click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Evaluasi penyelenggaraan");
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "nothing sideways at 360 px").toBeLessThanOrEqual(360);
    // A draft first: kept as chosen.
    const first = page.getByTestId("evaluation-form").locator("fieldset.rating").first();
    await first.getByLabel("4 — Sangat baik").check();
    await page.getByRole("button", { name: "Simpan draf" }).click();
    await expect(page.getByTestId("flash")).toHaveText("Draf tersimpan.");
    await expect(page.getByTestId("evaluation-form").locator("fieldset.rating").first().getByLabel("4 — Sangat baik")).toBeChecked();
    await page.screenshot({ path: "test-results/evaluation-form-360.png", fullPage: true });
    await fillAndSend(page, "3 — Baik", "Contoh saran dari uji Playwright");

    await page.getByTestId("evaluations").getByRole("link", { name: "Evaluasi narasumber" }).first().click();
    await expect(page.locator("p.lead")).toContainText("Sesi: ");
    await fillAndSend(page, "4 — Sangat baik", "");
    expect(count("SELECT COUNT(*) FROM evaluation_answers")).toBe(before + 2);
    await expect(page.getByTestId("evaluations")).toContainText("terkirim ✓");
  });
});

test("a panitia reads the October angkatan's report: index, chart with its table, speakers, no names", async ({ page }) => {
  await panitia(page);
  const october = count("SELECT id FROM diklat WHERE code = 'MLG-2025-01'");
  await page.goto(`/diklat/${october}/evaluasi`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Evaluasi diklat");
  const organisation = page.getByTestId("form-report").first();
  await expect(organisation.getByTestId("response-rate")).toContainText("Tingkat respons:");
  await expect(organisation.getByTestId("ikm")).toContainText(/Indeks kepuasan \(IKM\): \d{2},\d{2} · [A-D] — /);
  await expect(organisation.getByTestId("evaluation-chart")).toHaveAttribute("aria-label", /Kualitas dan kecukupan konsumsi: \d,\d\d/);
  await expect(organisation.getByTestId("question-figures").locator("tbody tr")).toHaveCount(8);
  expect(await page.getByTestId("speaker").count()).toBeGreaterThan(1);
  await expect(page.getByTestId("open-answers").first()).toBeVisible();
  await page.screenshot({ path: "test-results/evaluation-report.png", fullPage: true });

  // Downloaded as Chromium downloads (compressed, following the link): whole, figures as numbers.
  const save = async (name: string) => {
    const [d]: [Download, void] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name }).click()]);
    expect(await d.failure()).toBeNull();
    return (await d.path())!;
  };
  const csv = fs.readFileSync(await save("Unduh CSV"), "utf8").replace(/^\uFEFF/, "").trim().split(/\r?\n/);
  expect(csv[0]).toBe("bagian,narasumber,pertanyaan,penjawab,rata_rata,n_1,n_2,n_3,n_4,n_5,ikm");
  expect(csv.length - 1).toBeGreaterThanOrEqual(9);
  expect(csv.find((l) => l.includes(",IKM,"))).toMatch(/,\d{2}\.\d{2}$/);
  const [title, , , headers, ...cells] = xlsxCells(await save("Unduh XLSX"));
  expect(title).toEqual([{ text: "Evaluasi diklat" }]);
  expect(headers[0]).toEqual({ text: "Bagian" });
  expect(cells.length).toBe(csv.length - 1);
  expect(cells[0][3]).toEqual({ number: expect.any(Number) });
});
