"""The class sandbox: learner events, progress, the trainer's board, identity and throttling.

* :mod:`events` records what the sandbox saw each learner do (and the errors it answered);
* :mod:`progress` derives the furthest tutorial step and the stuck mark from those events;
* :mod:`observer` turns portal / gwa-api / shared-IdP traffic into events, so learners who
  use the real ``gwa`` CLI or ``curl`` count too; :func:`observer.data_plane` does the same
  for Kong;
* :mod:`identity` gives each learner one name per browser; :mod:`throttle` slows guessing;
* :mod:`board` serves ``/class`` and ``/class.json`` to the trainer.
"""
