// A Go net/http peer for scripts/bench: answers GET /readyz with the same
// application/health+json body uservice sends, and POST /echo with the request body, using
// only the standard library.
package main

import (
	"flag"
	"fmt"
	"io"
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
	http.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		contentType := r.Header.Get("Content-Type")
		if contentType == "" {
			contentType = "application/octet-stream"
		}
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	})
	if err := http.ListenAndServe(*address, nil); err != nil {
		panic(err)
	}
}
