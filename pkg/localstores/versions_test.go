package localstores

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionsFileAgreesWithBuildScript(t *testing.T) {
	_, root, err := loadVersions()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{StoreTempo, StoreLoki, StoreJaeger} {
		goVer, err := StoreVersion(name)
		if err != nil {
			t.Fatal(err)
		}
		// The same file, as bash reads it for build.sh.
		v := strings.ToUpper(name) + "_VERSION"
		out, err := exec.Command("bash", "-c", `. "$1" && printf %s "${!2}"`, "bash",
			filepath.Join(root, VersionsFile), v).Output()
		if err != nil {
			t.Fatalf("bash reading %s: %v", VersionsFile, err)
		}
		if string(out) != goVer {
			t.Errorf("%s: bash reads %q, Go reads %q", v, out, goVer)
		}
	}

	t.Setenv("LATENCYLENS_CACHE", "/tmp/llcache")
	t.Setenv("LATENCYLENS_LOKI_BIN", "")
	bin, err := StoreBinary(StoreLoki)
	if err != nil {
		t.Fatal(err)
	}
	ver, _ := StoreVersion(StoreLoki)
	if want := "/tmp/llcache/stores/loki-" + ver + "/loki"; bin != want {
		t.Errorf("StoreBinary = %q, want %q", bin, want)
	}
	t.Setenv("LATENCYLENS_LOKI_BIN", "/opt/loki")
	if bin, _ := StoreBinary(StoreLoki); bin != "/opt/loki" {
		t.Errorf("override ignored: %q", bin)
	}
}

func TestParseVersionsRejectsQuotedValues(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "v.env")
	if err := os.WriteFile(p, []byte("# c\n\nA_VERSION=v1\nB_VERSION=\"v2\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := parseVersions(p); err == nil || !strings.Contains(err.Error(), ":4:") {
		t.Fatalf("want an error on line 4, got %v", err)
	}
	if err := os.WriteFile(p, []byte("A_VERSION=v1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := parseVersions(p)
	if err != nil || m["A_VERSION"] != "v1" {
		t.Fatalf("got %v, %v", m, err)
	}
}

func TestPinnedBinaryNamesTheBuildCommand(t *testing.T) {
	t.Setenv("LATENCYLENS_CACHE", t.TempDir())
	t.Setenv("LATENCYLENS_JAEGER_BIN", "")
	_, err := PinnedBinary(StoreJaeger)
	missing, ok := err.(*MissingBinaryError)
	if !ok || missing.Store != StoreJaeger || !strings.HasSuffix(missing.HowToGet, "build.sh jaeger") {
		t.Fatalf("err = %#v, want a *MissingBinaryError naming build.sh jaeger", err)
	}
	if !strings.Contains(err.Error(), "jaeger binary not found at ") {
		t.Errorf("message %q", err)
	}
}
