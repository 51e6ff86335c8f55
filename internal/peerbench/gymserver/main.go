// Command gymserver serves the multi-step example environment over NeMo
// Gym's resources-server protocol for BenchmarkPeer, in a process of its
// own, as the FastAPI peer runs in one. /bare/get_synonym_value is the same
// tool as a bare net/http handler: the limit of one JSON hop.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"

	"github.com/gymkit/gym/env"
	"github.com/gymkit/gym/examples/multistep"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()
	mux := http.NewServeMux()
	mux.Handle("/", env.NewHandler(multistep.NewServer(), multistep.NewVerifier()))
	mux.HandleFunc("POST /bare/get_synonym_value", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Synonym string `json:"synonym"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"synonym_value": multistep.Value(in.Synonym)})
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
