"""The getting-started app of Smartcar's backend tutorials (/login, /exchange, /vehicle), offline."""
