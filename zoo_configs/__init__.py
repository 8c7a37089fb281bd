"""ganzoo's training recipes, one TOML file each; installed as `ganzoo.zoo_configs`."""
