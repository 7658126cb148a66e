"""HTTP routers: each translates requests into one platform call and renders its result or error."""
