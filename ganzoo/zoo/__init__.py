"""The zoo: what is built on the models, for people who train, share and serve them.

    recipes.py   zoo_configs/*.toml -> a checked `Recipe` (the schema; no Keras)
    schema.py    typed tables: the checks a recipe's tables go through
    run.py       a recipe's training run: model, data, fit, scores, preset
    export.py    generator-only SavedModel (TF Serving) and ONNX
    hub.py       `upload_preset` to the Hugging Face Hub or Kaggle, with a model card

The modules are imported one by one (nothing here imports them), so that the command
line can read recipes without starting a backend.
"""
