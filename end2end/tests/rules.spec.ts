import { test, expect } from "@playwright/test";
import { panitia } from "./demo";
import { count } from "./db";

// The completion rule's refusals, as an organizer meets them: in view, in Bahasa Indonesia, with
// the input kept where there is any.

test("a minimum attendance under the floor is refused with its reason in view", async ({ page }) => {
  await panitia(page);
  const current = count("SELECT id FROM diklat WHERE code = 'MLG-DEMO-02'");
  await page.goto(`/diklat/${current}`);
  await page.getByText("Ubah data diklat").click();
  const form = page.getByTestId("diklat-form");
  await form.locator('input[name="min_hadir"]').fill("10");
  // The browser would stop the value itself (min=50); the server must refuse it too.
  await form.evaluate((f: HTMLFormElement) => (f.noValidate = true));
  await form.getByRole("button", { name: "Simpan diklat" }).click();
  // Beside the field, in view, the form open again with the value as typed.
  const error = page.getByTestId("diklat-form").getByTestId("field-error");
  await expect(error).toContainText("Minimal kehadiran: paling rendah 50%");
  await expect(error).toBeInViewport();
  await expect(page.getByTestId("diklat-form").locator('input[name="min_hadir"]')).toHaveValue("10");
  expect(count(`SELECT min_attendance_pct FROM diklat WHERE id = ${current}`)).toBe(80);
});

test("no certificate before the last session: the completion page says when, and how to record an exception", async ({ page }) => {
  await panitia(page);
  const current = count("SELECT id FROM diklat WHERE code = 'MLG-DEMO-02'");
  await page.goto(`/diklat/${current}/kelulusan`);
  const notYet = page.getByTestId("not-yet");
  await expect(notYet).toContainText("Sertifikat terbit setelah sesi terakhir selesai");
  await expect(notYet).toBeInViewport();
  await expect(page.getByTestId("rule")).toContainText("Pengembangan Usaha Koperasi");
  await page.setViewportSize({ width: 360, height: 740 });
  await page.screenshot({ path: "test-results/kelulusan-belum-360.png", fullPage: true });
});
