"""ganzoo's shipped presets, one folder each; installed as `ganzoo.pretrained`."""
