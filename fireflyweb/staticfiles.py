"""The production static storage: WhiteNoise's compressed, hashed files, with the relative
imports inside ES modules (static/js/*.js importing js/lib/) rewritten to the hashed names too,
so a page never mixes a new module with an old, cached helper.

Django finds the imports with regular expressions that also read comments: the word "export" or
"import" followed by a space in a comment above an import makes it rewrite that import twice
(`x.<hash>.<hash>.js`). tests/foundation/test_static_modules.py catches that."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ModuleAwareStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
