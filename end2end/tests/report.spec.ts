import { test, expect, Page } from "@playwright/test";
import { signIn } from "./demo";

const pejabat = (page: Page) => signIn(page, "pejabat@demo.diklat-kkmp.test", "demo-pejabat-kkmp");

test("a pejabat drills down from kecamatan to kelurahan to a person and opens their certificate", async ({ page }) => {
  await pejabat(page);
  await page.getByRole("link", { name: "Laporan", exact: true }).click();
  await expect(page.locator("h1")).toHaveText("Laporan capaian diklat — Kota Malang");
  await expect(page.getByTestId("certified")).not.toContainText(/^0/);
  await expect(page.getByTestId("readiness-chart")).toBeVisible();

  await page.getByTestId("coverage").getByRole("link", { name: "Klojen", exact: true }).click();
  await expect(page.locator("h1")).toHaveText("Laporan capaian diklat — Klojen");
  await expect(page).toHaveURL(/wilayah=3573030/);

  const kelurahan = page.getByTestId("coverage").locator("tbody th a").first();
  const name = await kelurahan.innerText();
  await kelurahan.click();
  await expect(page.locator("h1")).toHaveText(`Laporan capaian diklat — ${name}`);
  const person = page.getByTestId("people").locator("tbody tr").first();
  await expect(person).toContainText(/\d+\/\d+ \(\d+%\)/);
  await page.screenshot({ path: "test-results/laporan-kelurahan.png", fullPage: true });

  // A filter stays in the URL; the certificate number opens its public verification page.
  await page.getByLabel("Status peserta").selectOption("bersertifikat");
  await page.getByRole("button", { name: "Terapkan" }).click();
  await expect(page).toHaveURL(/status=bersertifikat/);
  const certified = page.getByTestId("people").locator("tbody tr").first();
  await expect(certified).toContainText("Bersertifikat");
  const holder = (await certified.getAttribute("data-person"))!;
  await certified.locator("a[href^='/verifikasi/']").click();
  await expect(page.getByTestId("status")).toContainText("Aktif");
  await expect(page.getByTestId("certificate")).toContainText(holder);
});

test.describe("without JavaScript, on a phone", () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });

  test("the public page shows KKMP readiness per kecamatan and per kelurahan, no names", async ({ page }) => {
    await page.goto("/capaian");
    await expect(page.locator("h1")).toHaveText("Capaian sertifikasi KKMP — Kota Malang");
    await expect(page.getByTestId("coverage").locator("tbody tr")).toHaveCount(5);
    await page.getByTestId("coverage").getByRole("link", { name: "Sukun", exact: true }).click();
    await expect(page.locator("h1")).toHaveText("Capaian sertifikasi KKMP — Sukun");
    await expect(page.getByTestId("people")).toHaveCount(0);
    await page.screenshot({ path: "test-results/capaian-sukun.png", fullPage: true });
  });
});
