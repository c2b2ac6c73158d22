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

  # A caller that may also write (POST /orders).
  writer = { scopes = ["rest-api/read", "rest-api/write"] }

  # A batch job in another account, with short-lived tokens. It reads this client's secret where it is:
  # the secret's resource policy lets its role read it (README, Callers in other accounts; the stack then
  # encrypts the secrets with a key of its own). Drop `consumers` to keep the secret to this account.
  batch = {
    scopes                        = ["rest-api/read"]
    access_token_validity_minutes = 15
    consumers                     = ["arn:aws:iam::111122223333:role/batch-job"]
  }
}

client_function_client = "demo"

# Protected functions behind the load balancer, each with its routes and the scopes every route
# requires. "resource" is the built-in demo (GET/POST /api). "orders" is a function written as you would
# write yours (examples/local/orders/orders.py, zipped by `make build-host` into dist/host/orders.zip):
# it imports only the verifier layer's public API.
apis = {
  resource = {
    routes = {
      "GET /api"  = ["rest-api/read"]
      "POST /api" = ["rest-api/write"]
    }
  }
  orders = {
    zip_path = "orders.zip"
    handler  = "orders.handler"
    routes = {
      "GET /orders"   = ["rest-api/read"]
      "POST /orders"  = ["rest-api/write"]
      "GET /orders/*" = ["rest-api/read"]
      # one tenant's orders: the token's tenant claim (token_tenants below) must be the path's
      "GET /tenants/*" = ["rest-api/read"]
    }
  }
}

# Customized tokens: the example trigger (examples/token-trigger) adds each client's tenant to its
# tokens, so GET /tenants/acme/orders answers the writer and refuses the demo client (403). {} turns the
# trigger off.
token_tenants = {
  writer = "acme"
  demo   = "globex"
}
