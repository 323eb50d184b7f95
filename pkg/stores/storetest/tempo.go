package storetest

import (
	"fmt"
	"strings"
)

// TempoSearchHits is a Tempo /api/search answer with n hits of service "shop": trace IDs
// 1…n (32 hex digits), started 1 ns apart from 1700000000 s, 5 ms long.
func TempoSearchHits(n int) string {
	var b strings.Builder
	b.WriteString(`{"traces":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"traceID":"%032x","rootServiceName":"shop","rootTraceName":"GET","startTimeUnixNano":"%d","durationMs":5}`, i+1, 1700000000000000000+int64(i))
	}
	b.WriteString(`]}`)
	return b.String()
}
