package localstores

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Store names, as used by tests/stores/build.sh and the binary cache.
const (
	StoreTempo  = "tempo"
	StoreLoki   = "loki"
	StoreJaeger = "jaeger"
)

// VersionsFile is the pinned-versions file, relative to the repository root.
const VersionsFile = "tests/stores/versions.env"

// BuildScript is the store build script, relative to the repository root.
const BuildScript = "tests/stores/build.sh"

var (
	versionsOnce sync.Once
	versions     map[string]string
	repoRoot     string
	versionsErr  error
)

// findRepoRoot walks up from the working directory (go test runs in the
// package directory), then from this source file, to the directory holding
// tests/stores/versions.env.
func findRepoRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if _, err := os.Stat(filepath.Join(dir, VersionsFile)); err == nil {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", fmt.Errorf("%s not found above %v", VersionsFile, starts)
}

// parseVersions reads KEY=value lines, skipping blanks and # comments.
func parseVersions(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" || strings.ContainsAny(v, " \t\"'") {
			return nil, fmt.Errorf("%s:%d: want KEY=value without quotes or spaces, got %q", path, n, line)
		}
		m[k] = v
	}
	return m, sc.Err()
}

func loadVersions() (map[string]string, string, error) {
	versionsOnce.Do(func() {
		repoRoot, versionsErr = findRepoRoot()
		if versionsErr == nil {
			versions, versionsErr = parseVersions(filepath.Join(repoRoot, VersionsFile))
		}
	})
	return versions, repoRoot, versionsErr
}

// StoreVersion returns the pinned version of a store (StoreTempo,
// StoreLoki or StoreJaeger) from tests/stores/versions.env.
func StoreVersion(name string) (string, error) {
	v, _, err := loadVersions()
	if err != nil {
		return "", err
	}
	ver := v[strings.ToUpper(name)+"_VERSION"]
	if ver == "" {
		return "", fmt.Errorf("%s has no %s_VERSION", VersionsFile, strings.ToUpper(name))
	}
	return ver, nil
}

// CacheDir returns the root of the binary cache, as build.sh computes it:
// $LATENCYLENS_CACHE, or $HOME/.cache/latency-lens.
func CacheDir() string {
	if d := os.Getenv("LATENCYLENS_CACHE"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, ".cache", "latency-lens")
}

// StoreBinary returns where build.sh puts the pinned binary of a store:
// <CacheDir>/stores/<name>-<version>/<name>. The environment variable
// LATENCYLENS_<NAME>_BIN (e.g. LATENCYLENS_TEMPO_BIN) overrides it.
func StoreBinary(name string) (string, error) {
	if b := os.Getenv("LATENCYLENS_" + strings.ToUpper(name) + "_BIN"); b != "" {
		return b, nil
	}
	ver, err := StoreVersion(name)
	if err != nil {
		return "", err
	}
	return filepath.Join(CacheDir(), "stores", name+"-"+ver, name), nil
}

// BuildCommand returns the shell command that builds a store's binary.
func BuildCommand(name string) string {
	_, root, err := loadVersions()
	if err != nil || root == "" {
		return BuildScript + " " + name
	}
	return filepath.Join(root, BuildScript) + " " + name
}

// RepoRoot returns the repository root: the directory holding
// tests/stores/versions.env, found above the working directory or this
// source file.
func RepoRoot() (string, error) {
	_, root, err := loadVersions()
	return root, err
}

// MissingBinaryError says that a store's program is not there, and how to
// get it.
type MissingBinaryError struct {
	// Store is the store's name, Path where its binary was looked for,
	// HowToGet the command that installs or builds it.
	Store, Path, HowToGet string
}

func (e *MissingBinaryError) Error() string {
	return fmt.Sprintf("%s binary not found at %s; run: %s", e.Store, e.Path, e.HowToGet)
}

// PinnedBinary returns StoreBinary(name) when that is an executable file,
// and a *MissingBinaryError naming the build command when it is not.
func PinnedBinary(name string) (string, error) {
	bin, err := StoreBinary(name)
	if err != nil {
		return "", err
	}
	if st, err := os.Stat(bin); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return "", &MissingBinaryError{Store: name, Path: bin, HowToGet: BuildCommand(name)}
	}
	return bin, nil
}
