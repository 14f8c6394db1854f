import { test, expect, Page, Browser } from "@playwright/test";
import { panitia, peserta } from "./demo";

/** Today's date in Asia/Jakarta (UTC+7), as the date input wants it. */
function todayWib(): string {
  return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
}

async function openDemoDiklat(page: Page) {
  await page.goto("/diklat");
  await page.getByRole("link", { name: /Angkatan II \(demo\)/ }).click();
  await expect(page.locator("h1")).toContainText("Angkatan II");
}

test("panitia schedules a session and opens check-in; a peserta checks in with the code; the mark appears", async ({ browser }) => {
  const staff = await (await browser.newContext()).newPage();
  await panitia(staff);
  await openDemoDiklat(staff);

  const form = staff.locator("details", { hasText: "Tambah sesi" }).last();
  await form.locator("summary").click();
  await form.getByLabel("Judul sesi").fill("Praktik pembukuan (Playwright)");
  await form.getByLabel("Tanggal").fill(todayWib());
  await form.getByLabel("Jam mulai").fill("23:50");
  await form.getByLabel("Jam selesai").fill("23:59");
  await form.getByLabel("Ruang").fill("Ruang Playwright");
  await form.getByLabel("Narasumber").fill("Dewi Lestari, S.E., Ak.");
  await form.getByRole("button", { name: "Tambah sesi" }).click();
  await expect(staff.getByTestId("flash")).toHaveText("Sesi ditambahkan.");

  await staff.getByRole("link", { name: "Praktik pembukuan (Playwright)" }).click();
  await staff.getByRole("button", { name: "Buka presensi mandiri" }).click();
  await expect(staff).toHaveURL(/\/sesi\/\d+\/kode$/);
  const code = (await staff.getByTestId("code").textContent())!.trim();
  expect(code).toMatch(/^[A-Z0-9]{6}$/);
  await expect(staff.locator(".qr svg")).toBeVisible();
  // The whole address to type, and how long a code that just changed still counts.
  await expect(staff.getByTestId("address")).toHaveText(`${new URL(staff.url()).host}/presensi`);
  await expect(staff.getByTestId("grace")).toHaveText("Kode lama masih diterima 60 detik setelah berganti.");
  const sessionUrl = staff.url().replace(/\/kode$/, "");

  const person = await (await browser.newContext()).newPage();
  await peserta(person);
  await person.goto("/presensi");
  await person.getByLabel("Kode di layar").fill(code.toLowerCase());
  await person.getByRole("button", { name: "Saya hadir" }).click();
  await expect(person.getByTestId("flash")).toContainText("Tercatat Hadir");
  await expect(person.getByTestId("marks-today")).toContainText("Praktik pembukuan (Playwright): Hadir");

  await staff.goto(sessionUrl);
  await expect(staff.getByTestId("counts")).toContainText("1 Hadir");
  await expect(staff.locator('tr:has(input[value="H"]:checked)')).toHaveCount(1);
  await staff.goto(`${sessionUrl}/kode`);
  await expect(staff.getByTestId("checked-in")).toContainText("1 dari 114");
});

test.describe("the marking grid without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("filters by kelurahan, marks everyone present, then records an exception", async ({ page }) => {
    await panitia(page);
    await openDemoDiklat(page);
    await page.getByTestId("sessions").getByRole("link", { name: "Tata kelola dan pengawasan", exact: true }).click();
    await page.getByLabel("Kelurahan").selectOption({ label: "Bareng" });
    await page.getByRole("button", { name: "Saring" }).click();
    await expect(page).toHaveURL(/kelurahan=\d+/);
    const rows = page.locator('[data-testid="grid"] tbody tr');
    await expect(rows).toHaveCount(2);

    await page.getByRole("button", { name: "Semua yang belum ditandai: Hadir" }).click();
    await expect(page.getByTestId("flash")).toContainText("2 peserta yang belum ditandai kini Hadir");
    await expect(page.getByTestId("counts")).toContainText("2 Hadir");

    const first = rows.first();
    await first.locator('input[value="S"]').check({ force: true });
    await first.getByPlaceholder("Alasan (I/S)").fill("Demam");
    await page.getByRole("button", { name: "Simpan presensi" }).click();
    await expect(page.getByTestId("flash")).toHaveText("1 presensi tersimpan.");
    await expect(rows.first().locator('input[value="S"]')).toBeChecked();
    await expect(rows.first()).toContainText("Sebelumnya: H");
    await expect(page.getByTestId("counts")).toContainText("1 Sakit");
    await page.setViewportSize({ width: 360, height: 740 });
    await page.screenshot({ path: "test-results/grid-no-js-360.png", fullPage: false });
  });
});

test("a peserta sees their schedule with today highlighted and a calendar feed", async ({ page }) => {
  await peserta(page);
  await page.goto("/jadwal");
  await expect(page.getByTestId("next-session")).toBeVisible();
  await expect(page.locator('[data-testid="schedule"] li.today').first()).toBeVisible();
  const feed = page.getByTestId("feed").first();
  const href = await feed.getAttribute("href");
  expect(href).toMatch(/^\/kalender\/peserta\/\d+-[0-9a-f]{32}\.ics$/);
  const ics = await page.request.get(href!);
  expect(ics.headers()["content-type"]).toBe("text/calendar; charset=utf-8");
  expect(await ics.text()).toContain("BEGIN:VEVENT");
});
