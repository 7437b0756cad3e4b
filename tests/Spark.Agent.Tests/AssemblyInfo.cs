// The agent's tools run bash, setsid and bwrap: these tests are Linux tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
