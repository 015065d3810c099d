"""Static files under names that carry their content's hash, so browsers may keep them for a year.

`collectstatic` (which `choujian run` calls) writes the hashed copies, gzip and brotli versions beside them and a
manifest; WhiteNoise then serves a hashed name with `Cache-Control: max-age=315360000, immutable`. Where nothing has
been collected (the tests, a development server) a file keeps its plain name and is served from the apps' folders.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # not collected: neither in the manifest nor in STATIC_ROOT
            return name
