import VDrop

/// The settings an error's sentence names (`vdrop` prints them as flags), or none when the
/// error is not worded in settings.
func namedSettings(_ error: Error) -> [Setting] {
    (error as? SettingWordedError)?.wording.settings ?? []
}
