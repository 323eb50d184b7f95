package traceid

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	const full = "4bf92f3577b34da6a3ce929d0e0e4736"
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "hex lower", in: full, want: full},
		{name: "hex upper", in: strings.ToUpper(full), want: full},
		{name: "hex with spaces", in: "  " + full + "\n", want: full},
		{name: "uuid dashes", in: "4bf92f35-77b3-4da6-a3ce-929d0e0e4736", want: full},
		{name: "64-bit padded", in: "a3ce929d0e0e4736", want: "0000000000000000a3ce929d0e0e4736"},
		{name: "leading zeros stripped (tempo search)", in: "2f3577b34da6a3ce929d0e0e4736", want: "00002f3577b34da6a3ce929d0e0e4736"},
		{name: "base64 16 bytes (tempo json)", in: "S/kvNXezTaajzpKdDg5HNg==", want: full},
		{name: "base64 raw url", in: "S_kvNXezTaajzpKdDg5HNg", want: full},
		{name: "base64 8 bytes padded to 128", in: "o86SnQ4ORzY=", want: "0000000000000000a3ce929d0e0e4736"},
		{name: "empty", in: "", wantErr: true},
		{name: "all zeros", in: "00000000000000000000000000000000", wantErr: true},
		{name: "too long hex", in: full + "00", wantErr: true},
		{name: "not hex not base64", in: "trace-xyz!", wantErr: true},
		{name: "base64 of wrong size", in: "AAECAw==", wantErr: true},
		{name: "short dashed", in: "ab-cd", wantErr: true},
		{name: "leading dash", in: "-" + full[1:], wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Normalize(%q) = %q, want error", tc.in, got)
				}
				if !strings.Contains(err.Error(), "\""+strings.ReplaceAll(tc.in, "\n", `\n`)+"\"") {
					t.Errorf("error %q does not quote the input", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNormalizeSpan(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "hex", in: "00F067AA0BA902B7", want: "00f067aa0ba902b7"},
		{name: "stripped", in: "f067aa0ba902b7", want: "00f067aa0ba902b7"},
		{name: "base64", in: "APBnqgupArc=", want: "00f067aa0ba902b7"},
		{name: "trace-sized", in: "4bf92f3577b34da6a3ce929d0e0e4736", wantErr: true},
		{name: "junk", in: "zz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeSpan(tc.in)
			if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
				t.Fatalf("NormalizeSpan(%q) = %q, %v; want %q (err %t)", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestSpellingsOf(t *testing.T) {
	tests := []struct {
		name, in string
		want     Spellings
	}{
		{name: "128-bit", in: "4BF92F3577B34DA6A3CE929D0E0E4736", want: Spellings{
			Hex:    "4bf92f3577b34da6a3ce929d0e0e4736",
			UUID:   "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
			Base64: []string{"S/kvNXezTaajzpKdDg5HNg==", "S_kvNXezTaajzpKdDg5HNg=="},
		}},
		{name: "64-bit: also its 8 bytes", in: "a3ce929d0e0e4736", want: Spellings{
			Hex:    "0000000000000000a3ce929d0e0e4736",
			UUID:   "00000000-0000-0000-a3ce-929d0e0e4736",
			Base64: []string{"AAAAAAAAAACjzpKdDg5HNg==", "o86SnQ4ORzY="},
		}},
		{name: "leading zeros of a 128-bit ID", in: "2f3577b34da6a3ce929d0e0e4736", want: Spellings{
			Hex:    "00002f3577b34da6a3ce929d0e0e4736",
			UUID:   "00002f35-77b3-4da6-a3ce-929d0e0e4736",
			Base64: []string{"AAAvNXezTaajzpKdDg5HNg=="},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SpellingsOf(tc.in)
			if err != nil || got.Hex != tc.want.Hex || got.UUID != tc.want.UUID || strings.Join(got.Base64, " ") != strings.Join(tc.want.Base64, " ") {
				t.Fatalf("SpellingsOf(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
	if _, err := SpellingsOf("trace-xyz!"); err == nil {
		t.Error("SpellingsOf accepts what Normalize refuses")
	}
}

func TestSpanSpellingsOf(t *testing.T) {
	tests := []struct {
		name, in string
		want     Spellings
	}{
		{name: "base64 the same in both alphabets", in: "00F067AA0BA902B7", want: Spellings{
			Hex: "00f067aa0ba902b7", Base64: []string{"APBnqgupArc="},
		}},
		{name: "leading zeros stripped, base64 with + and /", in: "fbff67aa0ba9fe3f", want: Spellings{
			Hex: "fbff67aa0ba9fe3f", Base64: []string{"+/9nqgup/j8=", "-_9nqgup_j8="},
		}},
		{name: "from a traceparent", in: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", want: Spellings{
			Hex: "00f067aa0ba902b7", Base64: []string{"APBnqgupArc="},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SpanSpellingsOf(tc.in)
			if err != nil || got.Hex != tc.want.Hex || got.UUID != "" || strings.Join(got.Base64, " ") != strings.Join(tc.want.Base64, " ") {
				t.Fatalf("SpanSpellingsOf(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			for _, s := range got.Base64 {
				if n, err := NormalizeSpan(s); err != nil || n != got.Hex {
					t.Errorf("spelling %q normalises to %q, %v", s, n, err)
				}
			}
		})
	}
	if _, err := SpanSpellingsOf("4bf92f3577b34da6a3ce929d0e0e4736"); err == nil {
		t.Error("SpanSpellingsOf accepts what NormalizeSpan refuses")
	}
}

// FuzzNormalize: never panics; output is 32 lower hex digits and a fixed point.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"4bf92f3577b34da6a3ce929d0e0e4736", "S/kvNXezTaajzpKdDg5HNg==", "abc", "-", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := Normalize(in)
		if err != nil {
			if !strings.Contains(err.Error(), "ID ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		if len(got) != 32 || strings.Trim(got, "0123456789abcdef") != "" {
			t.Fatalf("Normalize(%q) = %q, not 32 lower hex digits", in, got)
		}
		again, err := Normalize(got)
		if err != nil || again != got {
			t.Fatalf("not a fixed point: %q -> %q (%v)", got, again, err)
		}
		sp, err := SpellingsOf(in)
		if err != nil || sp.Hex != got {
			t.Fatalf("SpellingsOf(%q) = %+v, %v; Normalize gives %q", in, sp, err, got)
		}
		for _, s := range append([]string{sp.UUID, strings.ToUpper(sp.UUID)}, sp.Base64...) {
			if n, err := Normalize(s); err != nil || n != got {
				t.Fatalf("spelling %q of %q normalises to %q, %v", s, got, n, err)
			}
			// Unpadded, the same digits are read as hex when they all are hex digits.
			if raw := strings.TrimRight(s, "="); raw != s && strings.Trim(raw, "0123456789abcdefABCDEF") != "" {
				if n, err := Normalize(raw); err != nil || n != got {
					t.Fatalf("unpadded spelling %q of %q normalises to %q, %v", raw, got, n, err)
				}
			}
		}
	})
}
