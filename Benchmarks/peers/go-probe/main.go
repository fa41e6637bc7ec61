// A Go net/http peer for scripts/bench-probes: answers GET /readyz with the same
// application/health+json body uservice sends, using only the standard library.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"time"
)

func main() {
	address := flag.String("listen", "127.0.0.1:7981", "address to listen on")
	flag.Parse()
	http.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		body := fmt.Sprintf(`{"status":"pass","checks":{"lifecycle":{"status":"pass","output":"ready","time":"%s"}}}`,
			time.Now().UTC().Format(time.RFC3339))
		w.Header().Set("Content-Type", "application/health+json")
		w.Write([]byte(body))
	})
	if err := http.ListenAndServe(*address, nil); err != nil {
		panic(err)
	}
}
