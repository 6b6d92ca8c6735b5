import PavlovLang
let interp = Interpreter()
do { try interp.run(source: CommandLine.arguments.dropFirst().joined(separator: " ")) } catch { print(error.render()) }
