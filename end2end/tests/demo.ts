import { expect, Page } from "@playwright/test";

/** Signs in through the form (works with JavaScript off) and waits for the account page. */
export async function signIn(page: Page, login: string, password: string) {
  await page.goto("/masuk");
  await page.getByLabel("Nomor HP atau email").fill(login);
  await page.getByLabel("Kata sandi").fill(password);
  await page.getByRole("button", { name: "Masuk" }).click();
  await expect(page).toHaveURL(/\/akun$/);
}

/** The demo's Kota Malang panitia and its first peserta (see the README). */
export const panitia = (page: Page) => signIn(page, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp");
export const peserta = (page: Page) => signIn(page, "0812 3456 0001", "demo-peserta-kkmp");
