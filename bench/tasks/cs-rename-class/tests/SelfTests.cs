using Shop.Models;
using Shop.Services;

/// <summary>Uses the renamed class; fails to compile while CustomerRepo is still there under its old name.</summary>
internal static class SelfTests
{
    private static int Main()
    {
        var repo = new CustomerRepository();
        repo.Add(new Customer(7, "Edsger", "Austin"));
        string greeting = new Greeter(repo).Greet(7);
        if (greeting != "Hello, Edsger from Austin!") { Console.WriteLine($"FAIL greeting: {greeting}"); return 1; }
        if (typeof(CustomerRepository).Assembly.GetType("Shop.Services.CustomerRepo") is not null) { Console.WriteLine("FAIL the old class still exists"); return 1; }
        Console.WriteLine("all self-tests passed");
        return 0;
    }
}
