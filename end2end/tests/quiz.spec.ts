import { test, expect, Page } from "@playwright/test";

async function signIn(page: Page) {
  await page.goto("/masuk");
  await page.getByLabel("Nomor HP atau email").fill("0812 3456 0001");
  await page.getByLabel("Kata sandi").fill("demo-peserta-kkmp");
  await page.getByRole("button", { name: "Masuk" }).click();
  await expect(page).toHaveURL(/\/akun$/);
}

/** Answers every question on this page of the attempt (five a page): the first option, or a typed "1". */
async function answerPage(page: Page) {
  const questions = page.locator("fieldset.question");
  const n = await questions.count();
  expect(n).toBe(5);
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
    await expect(page.getByTestId("flash")).toHaveText("Terkumpul. Nilai Anda 0,0.");
    // A pre-test shows the score and what to study, never the key, and is never "failed".
    await expect(page.getByTestId("review")).toHaveCount(0);
    await expect(page.getByTestId("pre-no-pass")).toBeVisible();
    await expect(page.getByTestId("study")).toBeVisible();

    await page.getByRole("link", { name: "Baca modul" }).click();
    await page.getByRole("link", { name: "Tes akhir (sesudah membaca)" }).click();
    await page.getByRole("button", { name: "Mulai mengerjakan" }).click();
    await expect(page.getByTestId("answered")).toHaveText("Halaman 1 dari 2 · terjawab 0 dari 10");
    await answerPage(page);
    // The page buttons save what is on the page before moving.
    await page.getByRole("button", { name: "Berikutnya ›" }).click();
    await expect(page).toHaveURL(/\/percobaan\/\d+\?hal=2$/);
    await expect(page.getByTestId("answered")).toHaveText("Halaman 2 dari 2 · terjawab 5 dari 10");
    await answerPage(page);
    await page.getByRole("button", { name: "Simpan jawaban" }).click();
    await expect(page.getByTestId("flash")).toHaveText("Jawaban tersimpan.");
    await page.getByRole("button", { name: "‹ Sebelumnya" }).click();
    await expect(page.locator("fieldset.question input:checked").first()).toBeChecked();
    await expect(page.getByTestId("answered")).toHaveText("Halaman 1 dari 2 · terjawab 10 dari 10");
    await page.getByLabel("Saya selesai").check();
    await page.getByRole("button", { name: "Kumpulkan" }).click();
    await expect(page.getByTestId("result")).toBeVisible();
    await expect(page.getByTestId("gain")).toContainText(/Peningkatan belajar: \+\d+,\d poin/);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: "test-results/quiz-review-360.png" });
  });
});

test.describe("quizzes with JavaScript", () => {
  test("answers are saved as they are given, survive a reload, and the gain shows after the post-test", async ({ page }) => {
    await signIn(page);
    await page.goto("/kuis/pengembangan-usaha/awal");
    await page.getByRole("button", { name: "Mulai mengerjakan" }).click();
    await expect(page).toHaveURL(/\/percobaan\/\d+$/);
    const autosave = page.getByTestId("autosave");
    await expect(autosave).toHaveText("Jawaban tersimpan otomatis setiap kali Anda menjawab.");
    const first = page.locator("fieldset.question").first();
    const choice = first.locator('input[type="radio"], input[type="checkbox"]');
    // The autosave posts the attempt form itself to the buttons' address, asking for data.
    const posted = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/kuis/jawab");
    if ((await choice.count()) > 0) {
      await choice.first().check();
    } else {
      await first.locator("input:not([type=hidden])").fill("1");
    }
    const request = await posted;
    expect(request.headers()["accept"]).toBe("application/json");
    expect(new URLSearchParams(request.postData() ?? "").get("percobaan")).toMatch(/^\d+$/);
    await expect(autosave).toContainText(/Tersimpan otomatis pukul \d\d:\d\d:\d\d/);
    // A dropped connection or a closed tab: the answer is on the server.
    await page.reload();
    await expect(page.getByTestId("answered")).toContainText("terjawab 1 dari 10");
    await answerPage(page);
    await page.getByRole("button", { name: "Berikutnya ›" }).click();
    await answerPage(page);
    await page.getByLabel("Saya selesai").check();
    await page.getByRole("button", { name: "Kumpulkan" }).click();
    await expect(page.getByTestId("result")).toBeVisible();

    await page.goto("/kuis/pengembangan-usaha/akhir");
    await page.getByRole("button", { name: "Mulai mengerjakan" }).click();
    await expect(autosave).toHaveText("Jawaban tersimpan otomatis setiap kali Anda menjawab.");
    await answerPage(page);
    await page.getByRole("button", { name: "Berikutnya ›" }).click();
    await answerPage(page);
    await page.getByLabel("Saya selesai").check();
    await page.getByRole("button", { name: "Kumpulkan" }).click();
    await expect(page.getByTestId("gain")).toContainText(/Peningkatan belajar: [+-]\d+,\d poin/);
  });
});
