"""The patient chart: the page that composes a patient's record from every feature
(demographics and consent, episodes, the session timeline, adverse events). It sits above
the features it shows, so none of them depends on another to be shown."""
