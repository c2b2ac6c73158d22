# What `make local` deploys to the emulator. Edit it and run `make local` again: the apply runs only when
# something changed. Scopes are "<resource server>/<scope>"; every scope a client or a route names must
# be defined under resource_servers. `make -s local-token CLIENT=<key>` prints a token of any client.

resource_servers = {
  "rest-api" = {
    name = "REST API"
    scopes = {
      read  = "Read access to the REST API"
      write = "Write access to the REST API"
    }
  }
}

clients = {
  # GET /client calls the API as this client (client_function_client below).
  demo = { scopes = ["rest-api/read"] }

  # Another caller, e.g. one that may also write:
  # batch = { scopes = ["rest-api/read", "rest-api/write"], access_token_validity_minutes = 15 }
}

client_function_client = "demo"

route_scopes = {
  "GET /api"  = ["rest-api/read"]
  "POST /api" = ["rest-api/write"]
}
