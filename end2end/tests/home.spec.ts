import { test, expect, Page } from "@playwright/test";

const TITLE_ID = "Diklat Pengurus dan Pengawas Koperasi Kelurahan Merah Putih";
const TITLE_EN = "Training for the Boards and Supervisors of Merah Putih Village Cooperatives";

async function noHorizontalScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "the page must not scroll sideways").toBeLessThanOrEqual(0);
}

test.describe("with JavaScript", () => {
  test("the home page is rendered by the server, hydrates, and the language toggle works", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

    const response = await page.goto("/");
    expect(response?.status()).toBe(200);
    // Server-rendered: the title is in the HTML the server sent, before any script ran.
    expect(await response!.text()).toContain(TITLE_ID);
    await expect(page.locator("h1")).toHaveText(TITLE_ID);
    await expect(page.locator("html")).toHaveAttribute("lang", "id");

    // Hydrated: the island's effect ran in the browser.
    const toggle = page.locator("a.lang-switch");
    await expect(toggle).toHaveAttribute("data-hydrated", "true");

    await toggle.click();
    await expect(page.locator("h1")).toHaveText(TITLE_EN);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.locator("a.lang-switch")).toHaveAttribute("data-hydrated", "true");
    await page.locator("a.lang-switch").click();
    await expect(page.locator("h1")).toHaveText(TITLE_ID);
    expect(errors, errors.join("\n")).toEqual([]);
  });

  test("the hydrated toggle keeps the reader's place on the page", async ({ page }) => {
    await page.goto("/wilayah/3573#kec-3573030");
    await expect(page.locator("a.lang-switch")).toHaveAttribute("data-hydrated", "true");
    await page.locator("a.lang-switch").click();
    await expect(page).toHaveURL(/\/wilayah\/3573#kec-3573030$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the home page, the language toggle and the region list all work", async ({ page }) => {
    await page.goto("/");
    await expect(page.locator("h1")).toHaveText(TITLE_ID);
    await expect(page.locator("a.lang-switch")).not.toHaveAttribute("data-hydrated", "true");
    await page.locator("a.lang-switch").click();
    await expect(page.locator("h1")).toHaveText(TITLE_EN);
    await page.goto("/wilayah/3573");
    await expect(page.locator("tr.village")).toHaveCount(57);
  });

  test("an unknown address shows the 404 page", async ({ page }) => {
    const response = await page.goto("/tidak-ada");
    expect(response?.status()).toBe(404);
    await expect(page.locator("h1")).toHaveText("Halaman tidak ditemukan");
  });
});

test.describe("on a 360 px phone", () => {
  test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });

  test("the home and region pages fit the screen", async ({ page }) => {
    await page.goto("/");
    await expect(page.locator("h1")).toBeVisible();
    await noHorizontalScroll(page);
    await page.screenshot({ path: "test-results/home-360.png", fullPage: true });
    await page.goto("/wilayah/3573");
    await noHorizontalScroll(page);
  });
});
