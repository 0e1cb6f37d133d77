"""Static-file storage that never turns a missing collectstatic into a 500.

Without debug the manifest storage names every file by its hash; before `collectstatic` has run
(a plain `manage.py runserver`), Django's strict manifest raises for every `{% static %}` and so
every page answers 500. Here a file absent from the manifest keeps its plain name, which
WhiteNoise (WHITENOISE_USE_FINDERS) still serves from the app and project static folders."""
import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

log = logging.getLogger(__name__)


class ForgivingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:
            log.warning("static file %s is not collected (run manage.py collectstatic); served by its plain name", name)
            return name
