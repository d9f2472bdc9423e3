import VDrop
print(try Platform.all().map(\.name))
