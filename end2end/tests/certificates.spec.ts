import { test, expect, Page } from "@playwright/test";
import { panitia } from "./demo";


/** The October angkatan's completion page (the demo certifies it at start-up). */
async function openStandings(page: Page) {
  await page.goto("/diklat");
  await page
    .getByRole("link", { name: "Diklat Peningkatan dan Pengembangan SDM Pengurus dan Pengawas KKMP Kota Malang", exact: true })
    .click();
  await page.getByRole("link", { name: "Kelulusan" }).click();
  await expect(page.locator("h1")).toHaveText("Kelulusan");
}

test("scan flow: the QR's page says Aktif; after the panitia revokes it, Dicabut with the reason", async ({ browser }) => {
  const staff = await (await browser.newContext()).newPage();
  await panitia(staff);
  await openStandings(staff);
  await expect(staff.getByTestId("issued")).not.toHaveText(/^0 /);
  const row = staff.locator("[data-certificate]").first();
  const number = (await row.getAttribute("data-certificate"))!;
  const verifyUrl = (await row.getByRole("link", { name: "verifikasi" }).getAttribute("href"))!;
  expect(verifyUrl).toMatch(/^\/verifikasi\/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-.$/);

  // Anyone with a phone, no sign-in: what the QR code opens.
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await phone.goto(verifyUrl);
  await expect(phone.getByTestId("status")).toContainText("Aktif");
  await expect(phone.getByTestId("certificate")).toContainText(number);
  await expect(phone.getByTestId("signature")).toContainText("Tanda tangan digital sah");
  await phone.screenshot({ path: "test-results/verifikasi-aktif.png", fullPage: true });

  // The panitia revokes it with a reason (after confirming).
  await row.locator("summary", { hasText: "Kelola" }).click();
  await row.getByLabel(/Alasan pencabutan/).fill("Nama pemegang salah ketik; diterbitkan ulang.");
  await row.getByLabel(/Saya yakin mencabut/).check();
  await row.getByRole("button", { name: "Cabut sertifikat" }).click();
  await expect(staff.getByTestId("flash")).toHaveText(`Sertifikat ${number} dicabut.`);

  await phone.reload();
  await expect(phone.getByTestId("status")).toContainText("Dicabut");
  await expect(phone.getByTestId("status")).toContainText("Nama pemegang salah ketik; diterbitkan ulang.");
  await phone.screenshot({ path: "test-results/verifikasi-dicabut.png", fullPage: true });
});

test("a code typed short is refused with what a code looks like", async ({ page }) => {
  await page.goto("/verifikasi");
  await page.getByLabel("Kode verifikasi").fill("ABCD-EFGH");
  await page.getByRole("button", { name: "Periksa" }).click();
  await expect(page).toHaveURL(/\/verifikasi\?kode=ABCD-EFGH$/);
  await expect(page.getByTestId("status")).toContainText("Kode tidak valid: Kode verifikasi terdiri dari 17 karakter");
});
