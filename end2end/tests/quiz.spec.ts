import { test, expect, Page } from "@playwright/test";

async function signIn(page: Page) {
  await page.goto("/masuk");
  await page.getByLabel("Nomor HP atau email").fill("0812 3456 0001");
  await page.getByLabel("Kata sandi").fill("demo-peserta-kkmp");
  await page.getByRole("button", { name: "Masuk" }).click();
  await expect(page).toHaveURL(/\/akun$/);
}

/** Answers every question on the attempt page: the first option, "Benar", or a typed word/number. */
async function answerAll(page: Page) {
  const questions = page.locator("fieldset.question");
  const n = await questions.count();
  expect(n).toBe(10);
  for (let i = 0; i < n; i++) {
    const q = questions.nth(i);
    const choice = q.locator('input[type="radio"], input[type="checkbox"]');
    if ((await choice.count()) > 0) {
      await choice.first().check();
    } else {
      await q.locator("input:not([type=hidden])").fill("1");
    }
  }
}

test.describe("quizzes without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a peserta takes the pre-test, reads, takes the post-test and sees the learning gain", async ({ page }) => {
    await signIn(page);
    await page.goto("/modul/literasi-keuangan");
    await page.getByRole("link", { name: "Tes awal (sebelum membaca)" }).click();
    await expect(page.locator("h1")).toHaveText("Tes awal");
    await page.getByRole("button", { name: "Mulai mengerjakan" }).click();
    await expect(page).toHaveURL(/\/percobaan\/\d+$/);
    // The pre-test handed in blank: 0.
    await page.getByLabel("Saya selesai").check();
    await page.getByRole("button", { name: "Kumpulkan" }).click();
    await expect(page.getByTestId("flash")).toHaveText("Terkumpul. Nilai Anda 0.0.");
    await expect(page.getByTestId("review")).toHaveCount(10);

    await page.getByRole("link", { name: "Baca modul" }).click();
    await page.getByRole("link", { name: "Tes akhir (sesudah membaca)" }).click();
    await page.getByRole("button", { name: "Mulai mengerjakan" }).click();
    await answerAll(page);
    // Saving first, then submitting: nothing typed is lost on the way.
    await page.getByRole("button", { name: "Simpan jawaban" }).click();
    await expect(page.getByTestId("flash")).toHaveText("Jawaban tersimpan.");
    await expect(page.locator("fieldset.question input:checked").first()).toBeChecked();
    await page.getByLabel("Saya selesai").check();
    await page.getByRole("button", { name: "Kumpulkan" }).click();
    await expect(page.getByTestId("result")).toBeVisible();
    await expect(page.getByTestId("gain")).toContainText(/Peningkatan belajar: \+\d+\.\d poin/);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: "test-results/quiz-review-360.png" });
  });
});
