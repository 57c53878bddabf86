"""Pulumi entry point: `pulumi up --stack dev|staging|prod` runs the example app."""

import app

app.main()
