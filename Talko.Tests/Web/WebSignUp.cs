using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Talko.Tests.Web;

/// <summary>Signing up in Talko Web as a person does: an email code read from the development mailbox in a second tab.</summary>
internal static partial class WebSignUp
{
    /// <summary>
    /// From the sign-in screen to "Your groups"; <paramref name="page"/> is a fresh page of its own context.
    /// <paramref name="screen"/>, when given, is called on each screen on the way (sign-in, mailbox, code, profile)
    /// with its name, for screenshots and accessibility checks.
    /// </summary>
    public static async Task SignUpAsync(IPage page, string email, string name, Func<IPage, string, Task>? screen = null)
    {
        screen ??= (_, _) => Task.CompletedTask;
        await page.GotoAsync("/");
        await page.GetByLabel("Email address").FillAsync(email);
        await screen(page, "sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send me a code" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Enter your code" })).ToBeVisibleAsync();

        var mailbox = await page.Context.NewPageAsync();
        await mailbox.GotoAsync("/#/mailbox");
        var message = mailbox.Locator("li.message", new() { HasText = email });
        await Expect(message).ToBeVisibleAsync();
        var code = await message.Locator(".code").InnerTextAsync();
        Assert.Matches(CodePattern(), code);
        await screen(mailbox, "mailbox");
        await screen(page, "code");
        await mailbox.CloseAsync();

        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByLabel("Display name")).ToBeVisibleAsync();
        await screen(page, "profile");
        await page.GetByLabel("Display name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your groups" })).ToBeVisibleAsync();
    }

    [GeneratedRegex("^[0-9]{4,10}$")]
    private static partial Regex CodePattern();
}
