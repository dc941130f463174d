// Placeholder entry point so the skeleton solution builds on the parsers branch; main's Program.cs replaces it.
return 0;
