import { test, expect, Page } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

async function signInAsPanitia(page: Page) {
  await page.goto("/masuk");
  await page.getByLabel("Nomor HP atau email").fill("panitia@demo.diklat-kkmp.test");
  await page.getByLabel("Kata sandi").fill("demo-panitia-kkmp");
  await page.getByRole("button", { name: "Masuk" }).click();
  await expect(page).toHaveURL(/\/akun$/);
}

function csvFile(name: string, rows: string[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "impor-")), name);
  fs.writeFileSync(file, "\ufeffnama;nik;no_hp;email;kelurahan;jabatan\r\n" + rows.join("\r\n") + "\r\n");
  return file;
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled });

    test("a panitia uploads a CSV with bad rows, sees the per-row report, then a good file imports", async ({ page }) => {
      const suffix = javaScriptEnabled ? "1" : "2";
      await signInAsPanitia(page);
      await page.getByRole("link", { name: "Peserta", exact: true }).click();
      await expect(page.locator("h1")).toHaveText("Data peserta");
      await page.getByRole("link", { name: "Impor peserta" }).click();

      const bad = csvFile("salah.csv", [
        `Baris Baik;35730141018000${suffix}1;08131111${suffix}001;;Kotalama;Ketua`,
        `NIK Pendek;123;08131111${suffix}002;;Kotalama;Ketua`,
        `Kelurahan Salah;35730141018000${suffix}3;08131111${suffix}003;;Atlantis;Ketua`,
      ]);
      await page.getByLabel(/Berkas peserta/).setInputFiles(bad);
      await page.getByRole("button", { name: "Periksa dan impor" }).click();
      const report = page.getByTestId("import-report");
      await expect(report).toContainText("Tidak ada yang disimpan: 2 kesalahan pada 3 baris di salah.csv");
      await expect(report.locator("tr.row-error")).toHaveCount(2);
      await expect(report.locator("tr.row-error").first()).toContainText("NIK harus 16 angka");
      await expect(report.locator("tr.row-error").nth(1)).toContainText("Atlantis");

      const good = csvFile("benar.csv", [`Rahmat Hidayat ${suffix};35730141018000${suffix}4;08131111${suffix}004;;Kotalama;Sekretaris`]);
      await page.getByLabel(/Berkas peserta/).setInputFiles(good);
      await page.getByRole("button", { name: "Periksa dan impor" }).click();
      await expect(page.getByTestId("import-report")).toContainText("Berhasil: 1 peserta dari benar.csv ditambahkan.");
      await page.goto(`/peserta?q=Rahmat+Hidayat+${suffix}`);
      await expect(page.locator("tr.person")).toHaveCount(1);
      await expect(page.locator("tr.person")).toContainText("Belum aktivasi");
    });
  });
}

test("the participant list fits a 360 px phone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signInAsPanitia(page);
  await page.goto("/peserta");
  await expect(page.locator("tr.person")).toHaveCount(50);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/peserta-360.png" });
});
