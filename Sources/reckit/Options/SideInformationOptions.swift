import ArgumentParser
import RecKit

/// Side information files for the models that use them (`two-tower`).
struct SideInformationOptions: ParsableArguments {
    @Option(help: "Users' attributes (MovieLens u.user), for two-tower.") var userAttributes: String?
    @Option(help: "Items' genre flags (MovieLens u.item), for two-tower.") var itemFeatures: String?

    func load() throws -> SideInformation {
        SideInformation(userAttributes: try userAttributes.map { try AttributeTable.movieLensUsers(path: $0) },
                        itemFeatures: try itemFeatures.map { try FeatureTable.movieLensGenres(path: $0) })
    }
}
