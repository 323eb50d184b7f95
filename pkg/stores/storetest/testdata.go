package storetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Testdata reads testdata/<name> of the package under test, failing the test if it cannot.
func Testdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
