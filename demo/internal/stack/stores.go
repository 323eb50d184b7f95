package stack

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/latencylens/lens/pkg/localstores"
)

// storeBinary returns the pinned binary of tempo, loki or jaeger from the tests' cache
// (pkg/localstores), building it with tests/stores/build.sh when it is missing and
// build is set.
func storeBinary(name string, build bool, progress func(string)) (string, error) {
	bin, err := localstores.StoreBinary(name)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmdline := localstores.BuildCommand(name)
	if !build {
		return "", fmt.Errorf("%s is not built (%s); run: bash %s", name, bin, cmdline)
	}
	version, _ := localstores.StoreVersion(name)
	progress(fmt.Sprintf("building %s %s with tests/stores/build.sh (minutes on a cold Go cache; once)", name, version))
	cmd := exec.Command("bash", strings.Fields(cmdline)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", name, err, tail(stderr.String(), 30))
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("build %s: %s is still missing", name, bin)
	}
	return bin, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
