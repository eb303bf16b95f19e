// Makes the entry point visible to WebApplicationFactory<Program> in Talko.Tests.
public partial class Program;
