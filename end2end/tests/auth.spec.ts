import { test, expect, Page } from "@playwright/test";

const PHONE = "0812 3456 0001";
const PASSWORD = "demo-peserta-kkmp";

async function signIn(page: Page, login: string, password: string) {
  await page.goto("/masuk");
  await page.getByLabel("Nomor HP atau email").fill(login);
  await page.getByLabel("Kata sandi").fill(password);
  await page.getByRole("button", { name: "Masuk" }).click();
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled });

    test("a peserta signs in, sees their account, and signs out", async ({ page }) => {
      await signIn(page, PHONE, PASSWORD);
      await expect(page).toHaveURL(/\/akun$/);
      await expect(page.locator("h1")).toHaveText("Akun saya");
      await expect(page.locator(".facts")).toContainText("3573••••••••0001");
      await expect(page.locator("a.account-link")).toBeVisible();

      await page.getByRole("button", { name: "Keluar" }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole("link", { name: "Masuk" })).toBeVisible();
      await page.goto("/akun");
      await expect(page).toHaveURL(/\/masuk\?ke=\/akun$/);
    });

    test("a wrong password is answered with a sentence and the form keeps the number", async ({ page }) => {
      await signIn(page, PHONE, "bukan-sandi-ini");
      await expect(page.getByRole("alert")).toHaveText("Nomor HP/email atau kata sandi salah.");
      await expect(page.getByLabel("Nomor HP atau email")).toHaveValue(PHONE);
    });
  });
}

test("the sign-in and account pages fit a 360 px phone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/masuk");
  await page.screenshot({ path: "test-results/masuk-360.png", fullPage: true });
  await signIn(page, "pejabat@demo.diklat-kkmp.test", "demo-pejabat-kkmp");
  await expect(page).toHaveURL(/\/akun$/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/akun-360.png", fullPage: true });
});
