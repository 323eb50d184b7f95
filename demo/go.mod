// The demo's Go code: `npm run demo:local` (cmd/demo-local) and the demo tests
// (demotest). Its own module so the demo can depend on what the plugin does not
// (a YAML parser for the provisioning files) without touching the plugin's go.mod.
module github.com/latencylens/lens/demo

go 1.26.5

require github.com/latencylens/lens v0.0.0-00010101000000-000000000000

require go.yaml.in/yaml/v3 v3.0.5 // indirect

replace github.com/latencylens/lens => ../
