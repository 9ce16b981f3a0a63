namespace IrSuite.Deployment.Tests;

/// <summary>yamllint (strict, the repository's .yamllint.yaml) over everything under deploy/ and k8s/.</summary>
public sealed class YamlLintTests
{
    [Fact]
    public void DeployAndK8s_PassYamllintStrict()
    {
        var (code, output, error) = Repository.Run(
            "yamllint", "install it with deploy/install-test-prerequisites.sh (Debian package yamllint)",
            "-s", "-f", "parsable", "-c", ".yamllint.yaml", "deploy", "k8s", ".yamllint.yaml");
        Assert.True(code == 0, $"yamllint found problems:\n{output}{error}");

        // The same binary and configuration reject a broken file: a clean run above means the files were linted.
        var broken = Path.Combine(Path.GetTempPath(), $"irsuite-yamllint-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(broken, "key: [unclosed\nother:  value   \n");
        try
        {
            var (brokenCode, brokenOutput, _) = Repository.Run("yamllint", "see above", "-s", "-f", "parsable", "-c", ".yamllint.yaml", broken);
            Assert.NotEqual(0, brokenCode);
            Assert.Contains("syntax", brokenOutput, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }
}
