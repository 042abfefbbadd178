import Testing
@testable import Dialplan
